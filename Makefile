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

LAB_PORT ?= 8888
LAB_ARGS ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test modules datasets doctor bench lint clean help workshop workshop-proxy

help:
	@echo "make lab      open the course in JupyterLab (installs into $(VENV) first)"
	@echo "make test     run every test (installs dev extras into $(VENV) first)"
	@echo "make modules  regenerate modules/ from solutions/ with nbgrader"
	@echo "make datasets rebuild the derived datasets from the installed packages"
	@echo "make bench    run the benchmarks and write bench/results.md"
	@echo "make workshop start a workshop JupyterHub on 127.0.0.1:$(WORKSHOP_PORT) (docs/instructor.md)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps record that the install matches pyproject.toml; editing it reinstalls.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed $(VENV)/.installed-workshop

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
	$(BIN)/ruff check course tests bench tools scripts

clean:
	rm -rf submitted autograded feedback release gradebook.db artifacts .pytest_cache
