# Two entry points: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
VENDOR := webapp/static/vendor
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test setup lint unit unit-js unit-sqlite unit-postgres e2e migrate seed serve clean

run: setup migrate seed
	MAIL_BACKGROUND_SENDER=1 $(FLASK) run --host 127.0.0.1 --port 5000

# Production-style serving on DATABASE_URL; run `flask --app webapp mail send` beside it.
serve: setup migrate
	$(BIN)/gunicorn -c gunicorn.conf.py "webapp:create_app()"

test: setup lint unit e2e

setup: $(BIN)/.installed $(VENDOR)/.installed

$(BIN)/.installed: pyproject.toml
	# A .venv left half-made (no pip in it) is made again.
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css
	touch $@

migrate: setup
	$(FLASK) db upgrade

seed: setup
	$(FLASK) seed-demo --if-empty

lint: setup
	$(BIN)/ruff check .

unit: unit-js unit-sqlite unit-postgres

# The iPad outbox's rules (webapp/static/ipad/outbox.js), on Node's own test runner.
unit-js:
	node --test tests/js/

# Tests run on as many workers as the machine has cores (pytest-xdist); on PostgreSQL each
# worker gets a database of its own next to the one named in PG_TEST_URL.
unit-sqlite: setup
	$(BIN)/pytest -q -n auto tests

unit-postgres: setup
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -n auto tests

e2e: setup
	$(BIN)/pytest -q -n auto e2e

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
