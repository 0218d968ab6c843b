# One project-local virtual environment; pip takes torch==2.13.0 (CPU) from this machine's disk.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_UI_ENABLED := false

.PHONY: install run test test-fast bench eval corpus lint clean

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	# torch first and pinned, so nothing can pull a CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/cspr db upgrade
	$(BIN)/cspr ingest $${CSPR_CORPUS_DIR:-corpus/reviews}
	$(BIN)/cspr case list

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

bench: install
	$(BIN)/python -m benchmarks

eval: install
	$(BIN)/python -m benchmarks.eval

corpus: install
	$(BIN)/python corpus/build.py

lint: install
	$(BIN)/ruff check review_flows learning tests benchmarks

clean:
	rm -rf $(VENV) data .pytest_cache
