# `make demo` and `make test` set everything up on a machine with Python 3.11 and pip.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: demo test clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

resources/demo/samples.tsv: $(BIN)/.installed src/oncomix/simulate.py
	$(BIN)/python -m oncomix simulate --out resources/demo

demo: $(BIN)/.installed resources/demo/samples.tsv
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml
	@echo "report: results/demo/report.html"

test: $(BIN)/.installed
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) resources results .snakemake
