# Two commands on a fresh machine (Linux or macOS; on Windows use the conda route in README):
#   make demo   install everything, write the demo county and run the main job on it
#   make test   install everything and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= data/demo

.PHONY: demo test install system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed system-deps

# Things pip cannot install. Chinese fonts come with the mplfonts package, so nothing is
# needed here yet; scripts/system-deps.sh installs what the report tests need when it can.
system-deps:
	@bash scripts/system-deps.sh

demo: install
	$(BIN)/fivestar demo --out $(OUT)

test: install
	bash scripts/system-deps.sh --test
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data/demo reports/*.html
