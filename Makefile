# Accords: `make run` to use it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run test lint translations compiled-translations browser screenshots bench serve clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The .mo files are built from the committed .po files, never committed themselves.
compiled-translations: $(STAMP)
	$(PY) scripts/compile_translations.py

PORT ?= 8000
run: $(STAMP) compiled-translations
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py export_open_data
	$(DEV_ENV) $(PY) manage.py ensure_local_admin
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production mode: gunicorn, debug off, compressed static files (see scripts/serve).
serve: $(STAMP) compiled-translations
	bash scripts/serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

# Regenerates the catalogues from the code, so a string added without its Spanish,
# Russian and Kazakh translation fails the suite (tests/test_translations.py).
# templates/admin and templates/simple_history are the libraries' own templates,
# adjusted: their strings are the libraries' (locale/libraries), not ours.
MAKEMESSAGES := makemessages -l es -l ru -l kk --add-location=file --no-obsolete \
	--ignore='staticfiles/*' --ignore='screenshots/*' --ignore='tests/*' --ignore='scripts/*' \
	--ignore='locale/*' --ignore='templates/admin/*' --ignore='templates/simple_history/*'
translations: $(STAMP)
	@bash scripts/ensure-gettext
	$(DEV_ENV) $(PY) manage.py $(MAKEMESSAGES) -v0
	$(PY) scripts/library_translations.py --check
	$(PY) scripts/compile_translations.py

# Browser tests need Debian's Chromium, the HTML check Java; install them when we can
# (root with apt).
browser:
	@bash scripts/ensure-chromium
	@bash scripts/ensure-java

test: $(STAMP) lint translations browser
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles screenshots .pytest_cache

# PNGs of every page at desktop and phone width, into screenshots/ (needs Chromium).
SHOT_PORT ?= 8765
screenshots: $(STAMP) compiled-translations browser
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py load_demo
	@# A staff account of its own, with a password made for this run, for the staff and admin
	@# pages; deleted when the run ends however it ends. An existing one is never touched.
	@password=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(18))"); \
	  $(DEV_ENV) SHOT_PASSWORD=$$password $(PY) manage.py shell -c "import os, sys; from django.contrib.auth import get_user_model; User = get_user_model(); User.objects.filter(username='screenshots').exists() and sys.exit('a user named screenshots exists already: not touching it'); u = User(username='screenshots', is_staff=True, is_superuser=True); u.set_password(os.environ['SHOT_PASSWORD']); u.save()" || exit 1; \
	  $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(SHOT_PORT) --noreload >/dev/null 2>&1 & \
	  server=$$!; \
	  trap 'kill $$server; $(DEV_ENV) $(PY) manage.py shell -c "from django.contrib.auth import get_user_model; get_user_model().objects.filter(username=\"screenshots\").delete()" >/dev/null' EXIT; \
	  for _ in $$(seq 50); do curl -fs -o /dev/null http://127.0.0.1:$(SHOT_PORT)/ && break; sleep 0.2; done; \
	  SHOT_USER=screenshots SHOT_PASSWORD=$$password $(PY) scripts/screenshots.py http://127.0.0.1:$(SHOT_PORT)

# Benchmarks against PostgreSQL: DATABASE_URL if set, else a local accords_bench database.
# The first run seeds 100,000 agreements and 1,000,000 milestones (about 2 minutes).
BENCH_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/accords_bench)
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only DJANGO_HTTPS=0
bench: $(STAMP) compiled-translations
	@# Pages are timed as production serves them: hashed static files, collected first.
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) scripts/bench_export.py
	$(BENCH_ENV) $(PY) scripts/bench_pages.py
	$(BENCH_ENV) $(PY) scripts/bench_admin.py
	$(BENCH_ENV) $(PY) scripts/bench_search.py
	$(BENCH_ENV) bash scripts/bench_load.sh
	$(BENCH_ENV) $(PY) scripts/bench_reminders.py
	$(BENCH_ENV) $(PY) scripts/bench_api.py
