# Two commands for a new user: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test lint bench eval samples clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ocr,fast]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python samples/demo.py

# Two workers, a test module per worker at a time (module-scoped databases are built once).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The `bench` extra (Presidio and spaCy, for bench/cli.py's comparison) on top of the install.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

# Scanner and extraction figures, the whole `review-flow scan` command (a folder against
# python-docx, --jobs 2 against 1, cold start; Presidio), OFD against PDF, a .doc's conversion
# through LibreOffice, the PDF hidden-layer checks, redaction of a 20-page .docx, the workflow
# figures (list/show at 10,000 documents, submit throughput, audit verification;
# BENCH_EVENTS=1000000 for the full million, ~4 min).
BENCH_EVENTS ?= 200000
bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/ofd.py
	$(BIN)/python bench/convert.py
	$(BIN)/python bench/workflow.py --events $(BENCH_EVENTS)
	$(BIN)/python bench/pdf_hidden.py
	$(BIN)/python bench/redact.py
	$(BIN)/python bench/ocr.py

# The independent labelled set (eval/, written without reading the scanner): dev split by
# default; `make eval SPLIT=held` reports the third kept aside.
SPLIT ?= dev
eval: $(STAMP)
	$(BIN)/python eval/score.py --split $(SPLIT)

samples: $(STAMP)
	$(BIN)/python samples/make_samples.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
