# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links in e-mails, share intents and link previews point here.
SITE_URL ?= http://127.0.0.1:$(PORT)
PYTEST_ARGS ?=

.PHONY: run test install install-dev lint format messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Web server, Celery worker and Celery beat together; Ctrl-C stops all three.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "Starting web server, Celery worker and beat. Open http://127.0.0.1:$(PORT)/  (Ctrl-C stops all)"
	@export SITE_URL="$(SITE_URL)"; \
	trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(VENV)/bin/celery -A portal worker --loglevel=INFO --concurrency=2 & \
	$(VENV)/bin/celery -A portal beat --loglevel=INFO & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) & \
	wait -n

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

messages: install-dev
	$(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
