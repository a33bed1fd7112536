# The two commands of the README's quick start, and a few more for developers.
#   make demo   set up, then convert the examples (and, once the sandbox runs, send them)
#   make test   set up, then run the test suite
# Everything installs into .venv; a fresh machine needs only Python 3.10+, pip and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall when pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: test lint demo benchmark fuzz soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n auto

# Types checked strictly and a small lint rule set, for the package (CI runs it via `make test`).
lint: $(STAMP)
	$(BIN)/ruff check yukimap
	$(BIN)/mypy

# The robustness suite's property tests with many more examples (minutes, not seconds).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -n auto tests/robustness

demo: $(STAMP)
	@$(BIN)/python scripts/demo.py

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_excel.py
	$(BIN)/python benchmarks/bench_journal.py
	$(BIN)/python benchmarks/bench_sales.py
	$(BIN)/python benchmarks/bench_rules.py
	$(BIN)/python benchmarks/bench_watch.py

# The hot-folder daemon killed 200 times at random while files arrive (about 10 minutes).
soak: $(STAMP)
	$(BIN)/python benchmarks/soak_watch.py

clean:
	rm -rf $(VENV) out .demo build dist .pytest_cache
