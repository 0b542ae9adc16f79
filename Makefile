# eq_assets: the commands of the README.
#   make run   [SCALE=tiny|small|paper]  set up, write the synthetic world if data/raw is empty, materialize all
#   make test                            the test suite (what .ci/run calls)
#   make ui                              the Dagster UI on 127.0.0.1:3000
#   make bench [SCALE=...]               wall time and peak memory per asset
#   make docs                            regenerate docs/variables.md (the data dictionary)
#   make synth [SCALE=...] [MESSY=1]     write the synthetic world (MESSY=1: in real-world shapes)
#   make check-raw [RAW=dir]             pre-flight: what the graph would read from the raw files
#   make coverage [REPS=200]             SE coverage over REPS tiny worlds -> docs/validation.md
SHELL := /bin/bash
PYTHON ?= python3
SCALE ?= small
SEED ?= 20240801
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export EQ_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test ui bench synth venv clean clean-warehouse clean-raw validate docs check-raw coverage

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

synth: $(STAMP)
	@if [ -n "$$(ls -A $(EQ_DATA_DIR)/raw 2>/dev/null)" ]; then \
	  echo "data/raw is not empty: keeping it (make clean-raw to regenerate)"; \
	else $(PY) -m eq_assets.synth --scale $(SCALE) --seed $(SEED) --out $(EQ_DATA_DIR)/raw $(if $(MESSY),--messy); fi

check-raw: $(STAMP)
	$(PY) -m eq_assets.check_raw $(if $(RAW),--raw $(RAW))

run: synth
	mkdir -p $(DAGSTER_HOME)
	$(PY) -m eq_assets.run

test: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	$(PY) -m pytest -q

validate: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	$(VENV)/bin/dagster definitions validate -m eq_assets.definitions

ui: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

docs: $(STAMP)
	$(PY) -m eq_assets.reports.dictionary

bench: $(STAMP)
	$(PY) -m eq_assets.bench --scale $(SCALE) --seed $(SEED)

REPS ?= 200
coverage: $(STAMP)
	$(PY) -m eq_assets.validation.coverage --reps $(REPS) --seed $(SEED) --out docs/validation.md --csv $(EQ_DATA_DIR)/coverage/coverage.csv

clean-warehouse:
	rm -f $(EQ_DATA_DIR)/warehouse.duckdb $(EQ_DATA_DIR)/warehouse.duckdb.wal

clean-raw:
	rm -rf $(EQ_DATA_DIR)/raw

clean: clean-warehouse
	rm -rf $(EQ_DATA_DIR)/outputs $(DAGSTER_HOME)
