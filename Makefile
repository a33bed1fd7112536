# The two commands of the README's quick start, and a few more for developers.
#   make demo   set up, then convert the examples (and, once the sandbox runs, send them)
#   make test   set up, then run the test suite
# Everything installs into .venv; a fresh machine needs only Python 3.11+, pip and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall when pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: test test-floors lint demo benchmark benchmark-targets hledger fuzz soak clean chromium editor-server studio-assets studio-screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# The suite in the venv $(1), with pytest's options $(2): a worker per core and one more, as
# a part of the suite waits (the daemon as a subprocess, the browser, the sandbox over HTTP)
# and leaves its core idle; the workers take tests from each other, so that the few long
# property tests do not hold up the end (on 2 cores: 427 s with a worker per core, 368 s so).
WORKERS := $(shell echo $$(( $$(nproc) + 1 )))
suite = YUKIMAP_YAML_LANGUAGE_SERVER=$$([ -x $(EDITOR_SERVER) ] && echo $(EDITOR_SERVER)) \
  $(1)/bin/python -m pytest -q -n $(WORKERS) --dist worksteal $(2)

test: $(STAMP) lint chromium editor-server
	$(call suite,$(VENV))

# The suite against the lowest version of each dependency pyproject.toml allows (each `>=`
# taken as `==`), in a venv of its own, so that the floors stay true: a user whose
# environment holds older libraries gets pip's refusal, not a traceback. Not part of `make
# test` (a second install and a second run of the suite).
FLOORS := .venv-floors
test-floors: chromium editor-server
	$(PYTHON) -m venv $(FLOORS)
	$(FLOORS)/bin/python -m pip install --quiet --upgrade pip
	$(FLOORS)/bin/python -m pip install --quiet -e '.[test]'
	$(FLOORS)/bin/python -m pip install --quiet $$($(PYTHON) -c 'import tomllib; \
	  print(" ".join(d.split(";")[0].replace(">=", "==") \
	  for d in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')
	$(call suite,$(FLOORS),-p no:cacheprovider)

# The editors' YAML language server (Red Hat's, as VS Code runs it), from the npm registry, so
# the tests can check that an editor completes and flags a mapping offline with our schema.
EDITOR_SERVER := $(CURDIR)/.tools/node_modules/.bin/yaml-language-server
editor-server:
	@[ -x $(EDITOR_SERVER) ] || { command -v npm >/dev/null 2>&1 \
	  && npm install --silent --no-audit --no-fund --prefix .tools yaml-language-server@2.0.0 \
	  >/dev/null || echo "The editor test needs npm (yaml-language-server); it is skipped"; }

# A Debian package the tests or benchmarks use, installed when its command is missing and
# this is root with apt (CI is); elsewhere it says how: $(call debian,COMMAND,WHO NEEDS IT).
define debian
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	  else \
	    echo "$(2) need $(1): sudo apt-get install $(1)"; \
	  fi; }
endef

# The studio's browser tests drive Debian's Chromium (never a browser a test tool downloads).
chromium:
	$(call debian,chromium,The studio's browser tests)

# The performance targets (issue 14), whole processes, with their verdicts; --big adds 10M rows.
benchmark-targets: $(STAMP) hledger
	$(BIN)/python benchmarks/bench_targets.py

# hledger, the benchmark's peer on the bank rules.
hledger:
	$(call debian,hledger,The rules benchmarks)

# The studio page's editor (CodeMirror 6) from the npm registry, bundled by esbuild into
# yukimap/studio/static/ (committed: the wheel carries it, nothing is fetched at run time).
studio-assets:
	cd studio-src && npm ci --no-audit --no-fund && node build.mjs

# Screenshots of each screen of the studio, by its browser tests, into docs/studio/.
studio-screenshots: $(STAMP) chromium
	YUKIMAP_STUDIO_SHOTS=$(CURDIR)/docs/studio $(BIN)/python -m pytest -q tests/test_studio_browser.py

# Types checked strictly and a small lint rule set, for the package (CI runs it via `make test`).
lint: $(STAMP)
	$(BIN)/ruff check yukimap tests benchmarks
	$(BIN)/mypy

# The robustness suite's property tests with many more examples (minutes, not seconds).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -n auto tests/robustness

demo: $(STAMP)
	@$(BIN)/python scripts/demo.py

benchmark: $(STAMP) hledger
	$(BIN)/python benchmarks/bench_targets.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_excel.py
	$(BIN)/python benchmarks/bench_journal.py
	$(BIN)/python benchmarks/bench_many_journals.py
	$(BIN)/python benchmarks/bench_sales.py
	$(BIN)/python benchmarks/bench_rules.py
	$(BIN)/python benchmarks/bench_many_rules.py
	$(BIN)/python benchmarks/bench_watch.py
	$(BIN)/python benchmarks/bench_send.py

# The hot-folder daemon killed 200 times at random while files arrive (about 10 minutes).
soak: $(STAMP)
	$(BIN)/python benchmarks/soak_watch.py

clean:
	rm -rf $(VENV) .tools out .demo build dist .pytest_cache
