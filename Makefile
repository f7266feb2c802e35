# neurocore-hw: thin wrapper over the CLI and pytest. On a fresh machine `make sim` and
# `make test` are the only two commands anyone needs: both install first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: install verilog sim test lint synth bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,synth]"
	touch $(STAMP)

install: $(STAMP)

verilog: $(STAMP)
	$(BIN)/neurocore-hw generate --all --outdir build/verilog

sim: verilog
	$(BIN)/neurocore-hw cosim --all

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) tests

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path "./$(VENV)/*" -exec rm -rf {} +
