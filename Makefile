# The two set-up commands of the README:
#   make demo   install, then train + test the demo on real photos (CPU, minutes):
#               the plain baseline and EEDTP (TMDDP -> GEF) with the same
#               budget (1,000 iterations each), both in one table
#   make test   install, then run the test suite
PY := .venv/bin/python
DEMO_CFG := configs/demo/demo_nafnet-tiny_1xb8-lr1e-3-1k_skimage-noise25.py
DEMO_TMDDP := configs/demo/demo_eedtp-tmddp_nafnet-tiny_1xb8-lr1e-3-300_skimage.py
DEMO_GEF := configs/demo/demo_eedtp-gef_nafnet-tiny_1xb8-lr1e-3-700_skimage-noise25.py
DEMO_DIR := work_dirs/demo

.PHONY: install demo test

install:
	bash tools/install.sh

demo: install
	$(PY) tools/train.py $(DEMO_CFG) --work-dir $(DEMO_DIR)/plain
	$(PY) tools/test.py $(DEMO_CFG) $$(cat $(DEMO_DIR)/plain/last_checkpoint) --work-dir $(DEMO_DIR)/plain
	$(PY) tools/train.py $(DEMO_TMDDP) --work-dir $(DEMO_DIR)/eedtp-tmddp
	$(PY) tools/train.py $(DEMO_GEF) --work-dir $(DEMO_DIR)/eedtp
	$(PY) tools/test.py $(DEMO_GEF) $$(cat $(DEMO_DIR)/eedtp/last_checkpoint) --work-dir $(DEMO_DIR)/eedtp
	$(PY) tools/analysis_tools/results_table.py $(DEMO_DIR)/plain $(DEMO_DIR)/eedtp
	@echo "input | output | GT images: $$(ls -d $(DEMO_DIR)/plain/*/vis_data/vis_image | tail -n1) (plain)"
	@echo "                            $$(ls -d $(DEMO_DIR)/eedtp/*/vis_data/vis_image | tail -n1) (EEDTP)"

# One torch thread: the tests' tiny convolutions run faster single-threaded,
# and the suite's subprocesses (torchrun, dataloader workers) then never
# oversubscribe the 2 cores.
test: install
	OMP_NUM_THREADS=1 $(PY) -m pytest tests -p no:cacheprovider
