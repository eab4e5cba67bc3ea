"""What a model may ask of the running Runner."""
from mmengine.logging import MessageHub


def current_iter() -> int:
    """The Runner's training iteration: RuntimeInfoHook writes it to the
    message hub before every step and a resumed run restores it. Outside a
    Runner nothing has set it and this returns 0."""
    value = MessageHub.get_current_instance().get_info('iter')
    return 0 if value is None else int(value)
