# The README's two commands: `make site` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Extra options for `make site`, e.g. BUILD_ARGS="--base-url https://user.github.io/repo/" (the Pages workflow).
BUILD_ARGS ?=

.PHONY: site test serve clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

site: $(STAMP)
	$(PY) generate.py build $(BUILD_ARGS)

test: $(STAMP)
	# Debian chromium for the real-browser tests (installed only when missing; they skip, saying why, without it).
	bash scripts/install-browser.sh || echo "make test: chromium unavailable, browser tests will be skipped" >&2
	# Java and the Nu HTML Checker (npm vnu-jar, pinned, into build/tools/) for tests/test_site_quality.py.
	bash scripts/install-quality-tools.sh vnu || echo "make test: vnu unavailable, its test will be skipped" >&2
	# pytest exits 5 when it collects no test: not a failure of the suite itself.
	$(PY) -m pytest -q || [ $$? -eq 5 ]

serve: $(STAMP)
	$(PY) generate.py serve

clean:
	rm -rf output .cache
