# edoc: the README's two commands (make run, make test) and their building blocks.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
AXIS_PORT ?= 5080
export FLASK_APP := wsgi.py

.PHONY: run test venv system-deps lint bench clean translations readme

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip wheel setuptools
	$(PY) -m pip install --quiet -e '.[dev,prod]'
	touch $(STAMP)

venv: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

# Everything the demo needs, then the app on http://$(HOST):$(PORT) with the axis simulator beside it.
run: venv system-deps
	$(PY) -m edoc.devserver --host $(HOST) --port $(PORT) --axis-port $(AXIS_PORT)

test: venv system-deps
	bash scripts/ensure-postgres.sh
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --durations=15 $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .

bench: venv
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

translations: venv
	$(VENV)/bin/pybabel extract -F babel.cfg --ignore-dirs='.* __pycache__' -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o edoc/translations/messages.pot .
	$(VENV)/bin/pybabel update -i edoc/translations/messages.pot -d edoc/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d edoc/translations

readme: venv
	$(PY) scripts/update_readme_settings.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
