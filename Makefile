# `make demo` and `make test` set everything up on a machine with Python 3.11 and pip.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test test-slurm lint bench bench-accuracy clean

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test]"
	touch $@

# the workflow simulates the demo cohort (rule simulate_demo) into resources/demo when it is not there
demo: $(BIN)/.installed
	$(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml
	@echo "report: results/demo/report.html"

# Debian's Chromium, for the tests that open the report in a headless browser (tests/test_browser.py)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(BIN)/.installed $(CHROMIUM) lint
	$(BIN)/python -m pytest

# A real one-node SLURM cluster on localhost (Debian packages, root or sudo), the workflow run on it with
# workflow/profiles/slurm and compared with a local run; every daemon started is stopped at the end.
test-slurm: $(BIN)/.installed
	$(BIN)/python -m pytest -m slurm tests/slurm

# Snakemake's linter, snakefmt and ruff (lint and format; settings in pyproject.toml)
lint: $(BIN)/.installed
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# simulated cohorts of 300, 1,000, 2,000 and 10,000 tumours through the whole workflow (bench/results.md), then
# the demo, TCGA-BRCA, CCLE and 1,000 tumours at HEAD~1 and now, stage by stage (bench/compare.md)
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --cores $(CORES)
	$(BIN)/python bench/compare.py --cores $(CORES)

# subtype accuracy on the simulated scenario grid and the labelled cohorts of ../shared/data; writes bench/accuracy.md
bench-accuracy: $(BIN)/.installed
	$(BIN)/python bench/accuracy.py --cores $(CORES)

clean:
	rm -rf $(VENV) resources results .snakemake
