# The two set-up commands of the README:
#   make demo   install, then train + test the demo on real photos (CPU, minutes)
#   make test   install, then run the test suite
PY := .venv/bin/python
DEMO_CFG := configs/demo/demo_nafnet-tiny_1xb8-lr1e-3-1k_skimage-noise25.py
DEMO_DIR := work_dirs/demo

.PHONY: install demo test

install:
	bash tools/install.sh

demo: install
	$(PY) tools/train.py $(DEMO_CFG) --work-dir $(DEMO_DIR)
	$(PY) tools/test.py $(DEMO_CFG) $$(cat $(DEMO_DIR)/last_checkpoint) --work-dir $(DEMO_DIR)
	@echo "input | output | GT images: $$(ls -d $(DEMO_DIR)/*/vis_data/vis_image | tail -n1)"

# One torch thread: the tests' tiny convolutions run faster single-threaded,
# and the suite's subprocesses (torchrun, dataloader workers) then never
# oversubscribe the 2 cores.
test: install
	OMP_NUM_THREADS=1 $(PY) -m pytest tests -p no:cacheprovider
