# Set-up is idempotent: every target that needs the environment depends on it.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install serve test lint bench eval browser clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# the CPU wheel of torch first: an unpinned torch would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests (playwright's own browser download does not work offline)
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

serve: install
	HF_HUB_OFFLINE=1 $(PY) -m ui

test: install browser
	HF_HUB_OFFLINE=1 $(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check rag ui bench tests scripts
	$(VENV)/bin/ruff format --check rag ui bench tests scripts
	$(VENV)/bin/mypy

# eval/squad_dev is written from train/squad by scripts/squad_dev_suite.py (gitignored, like each suite's .index)
eval: install
	$(PY) scripts/squad_dev_suite.py
	HF_HUB_OFFLINE=1 $(PY) -m rag eval --naive eval/seed eval/squad_v2_small eval/squad_dev eval/ukraine_2022 eval/time_expressions

bench: install
	HF_HUB_OFFLINE=1 $(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# the answer ranker (models/answer-ranker) from the SQuAD copies in train/squad/; under an hour on 2 cores
.PHONY: train
train: install
	HF_HUB_OFFLINE=1 $(PY) -m rag.train
