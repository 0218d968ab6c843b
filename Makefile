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

.PHONY: install run test test-fast bench bench-briefings bench-txtai-env eval corpus corpus-short lint clean

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	# torch first and pinned, so nothing can pull a CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The whole system on one machine: a local Prefect server (UI on 127.0.0.1:4200), the
# deployments served (the sweep on its schedule), the demo seeded on first start. Ctrl-C stops all.
run: install
	$(BIN)/cspr run

# pytest-xdist: TEST_WORKERS processes; the browser tests share one `cspr run` on one worker
# (tests/conftest.py groups them). TEST_WORKERS=0 runs in this process, one test at a time.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadgroup

test: install
	scripts/ensure-chromium >/dev/null
	$(BIN)/python -m pytest -q $(XDIST)

# the inner loop: no real model, server, browser, PostgreSQL or app run (tests/ui runs the
# real Streamlit app); all of them run in `make test`
test-fast: install
	$(BIN)/python -m pytest -q $(XDIST) -m "not slow and not browser and not postgres" \
		--ignore=tests/ui

bench: install
	$(BIN)/python -m benchmarks

# txtai only for the side-by-side benchmark, in its own venv: it reuses .venv's packages
# (torch CPU, faiss, transformers) through a .pth file and installs txtai with --no-deps, so it
# can never pull a CUDA torch or change .venv.
bench-txtai-env: install
	test -d .venv-txtai || $(PYTHON) -m venv .venv-txtai
	$(BIN)/python -c "import site; print(site.getsitepackages()[0])" > \
		"$$(.venv-txtai/bin/python -c 'import site; print(site.getsitepackages()[0])')/cspr-venv.pth"
	.venv-txtai/bin/pip install --quiet --no-deps txtai==9.14.0
	.venv-txtai/bin/python -c "import txtai; from txtai import Embeddings; from importlib.metadata import version; print('txtai', version('txtai'))"

# 7-minute briefing drafts against the 42 hand-written briefings: coverage and support
bench-briefings: install
	$(BIN)/python -m benchmarks.bench_briefings

eval: install
	$(BIN)/python -m benchmarks.eval
	$(BIN)/python -m benchmarks.eval_short
	$(BIN)/python -m benchmarks.eval_short_search
	$(BIN)/python -m benchmarks.eval_dev

# the short versions of the demo reviews (summary, recommendations) for the short-document eval
corpus-short: install
	$(BIN)/python -m corpus.builder.short_versions

corpus: install
	$(BIN)/python corpus/build.py

# ruff, then mypy: strict on core/ and the pure modules, standard elsewhere ([tool.mypy])
lint: install
	$(BIN)/ruff check core review_flows learning cspr ui app.py tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data .pytest_cache
