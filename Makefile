# PartnerCity: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format messages translations demo serve clean bench bench-live bench-meeting bench-motion-vote

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt requirements/constraints.txt | $(PY)
	$(PIP) install --quiet -r requirements/base.txt -c requirements/constraints.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(PIP) install --quiet -r requirements/dev.txt -c requirements/constraints.txt
	touch $@

translations: $(VENV)/.base-installed
	$(PY) manage.py compile_translations

run: $(VENV)/.base-installed translations
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo "Serving PartnerCity on http://$(HOST):$(PORT), with a task worker (Ctrl-C stops both)"
	@# The background worker (emails, imports, PDFs) and the digest loop (notification digests,
	@# every 5 minutes; idempotent) run beside the server and stop with it.
	@$(PY) manage.py db_worker --queue-name '*' --no-reload --no-startup-delay & worker=$$!; \
	$(PY) manage.py send_digests --every 300 >/dev/null & digests=$$!; \
	trap 'kill $$worker $$digests 2>/dev/null; wait $$worker $$digests 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Browser tests use Debian's Chromium; install it when missing and we may (root + apt).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "warning: $(CHROMIUM) missing; browser tests will be skipped"; fi; \
	fi
	@# WeasyPrint (accord PDFs) needs Pango; install it too when missing.
	@if ! ldconfig -p 2>/dev/null | grep -q libpango-1.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; fi; \
	fi

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Two pytest-xdist workers (one per core here); each gets its own test database and Redis
# database. A module's tests stay on one worker (module fixtures, live servers). TEST_WORKERS=0
# runs in one process.
TEST_WORKERS ?= 2
test: $(VENV)/.dev-installed translations chromium lint
	$(VENV)/bin/pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

# Extract strings into the catalogues (needs GNU gettext: apt-get install gettext).
messages: $(VENV)/.base-installed
	$(PY) manage.py makemessages -l it --ignore=.venv --ignore=tests --ignore=bench
	$(PY) manage.py makemessages -d djangojs -l it --ignore=.venv --ignore=staticfiles

bench: $(VENV)/.dev-installed
	$(PY) bench/pb_rules.py

# Live voting under load (needs PostgreSQL and Redis on localhost), e.g.
# make bench-live BENCH_ARGS="--viewers 1000 --rate 200 --duration 30 --workers 2 --find-max"
bench-live: $(VENV)/.dev-installed
	$(PY) bench/live_load.py $(BENCH_ARGS)

# A hybrid meeting: 300 members vote on one motion within 10 s (phones and room tablets) while
# 1,000 viewers watch the tally. make bench-meeting BENCH_ARGS="--quick" for a smoke run.
bench-meeting: $(VENV)/.dev-installed
	$(PY) bench/meeting_load.py $(BENCH_ARGS)

# The server's CPU and queries per motion vote, without the load around it (PostgreSQL, Redis).
bench-motion-vote: $(VENV)/.dev-installed
	$(PY) bench/motion_vote.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 test-db.sqlite3 staticfiles .pytest_cache
