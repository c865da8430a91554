# PubGuard: every target installs what it needs first (idempotent), so `make run` and
# `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
RAPIDOCR := rapidocr-onnxruntime==1.4.4

.PHONY: install install-dev run scan-samples test bench eval lint samples clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Everything (all extras), editable. The tuned OCR engine the benchmarks were measured on
# (rapidocr-onnxruntime 1.4.4) is added with --no-deps: it declares the GUI opencv-python, which
# would overwrite opencv-python-headless; its real dependencies come with the [ocr] extra.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[all]'
	$(BIN)/pip install -q --no-deps $(RAPIDOCR)
	$(BIN)/pip uninstall -q -y opencv-python 2>/dev/null || true
	touch $(STAMP)

$(DEVSTAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip uninstall -q -y opencv-python 2>/dev/null || true
	touch $(DEVSTAMP)

install: $(STAMP)

install-dev: $(DEVSTAMP)

# The main job: the review service on SQLite (./data), with demo users and sample drafts.
run: install
	sh scripts/ensure-libreoffice.sh || echo "LibreOffice not installed: .doc/.wps/.xls/.ppt uploads will say how to install it" >&2
	$(BIN)/pubguard demo-seed
	$(BIN)/pubguard serve

# What `make run` did before the service existed: scan the samples and print the report.
scan-samples: install
	$(BIN)/pubguard scan samples/ --format text; test $$? -le 1

test: install-dev
	sh scripts/ensure-chromium.sh
	$(BIN)/python scripts/collect_realworld.py
	sh scripts/ensure-libreoffice.sh
	$(BIN)/python -m pytest -n 2 -q

lint: install-dev
	$(BIN)/ruff check pubguard tests samples bench
	$(BIN)/ruff format --check pubguard tests samples bench
	$(BIN)/python -m mypy  # [tool.mypy] in pyproject.toml: pubguard/, every module

samples: install-dev
	$(BIN)/python samples/generate.py

bench: install-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/site.py
	$(BIN)/python bench/speed.py
	$(BIN)/python bench/formats.py

eval: install-dev
	$(BIN)/python scripts/collect_realworld.py
	$(BIN)/python -m pubguard.eval samples realworld

clean:
	rm -rf $(VENV) .pytest_cache
