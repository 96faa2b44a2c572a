# The two commands: `make run` serves the product, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
# Absolute links in feeds, JSON-LD, CSV and emails follow the port `make run` serves.
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL

.PHONY: run serve test test-training install install-dev install-train lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

$(VENV)/.train: requirements-train.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-train.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev
install-train: $(VENV)/.train

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	$(BIN)/python scripts/run_demo.py

# Production: gunicorn, a Celery worker and Celery beat from the Procfile (honcho), debug off.
# The environment must give DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and
# CELERY_BROKER_URL (README "Deploying"); migrations and static files are done first.
serve: install
	@$(BIN)/python scripts/check_production_env.py
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

test: install-dev
	DJANGO_DEBUG=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# Retrains the model on a small sample (PyTorch CPU, ~1.5 GB of training packages).
test-training: install-train
	DJANGO_DEBUG=1 $(BIN)/python -m pytest -m training tests/extraction/test_training.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf var/db.sqlite3* var/broker var/celerybeat-schedule*
