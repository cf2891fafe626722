# The README's commands. `make run` runs the product on its embedded defaults; `make test` runs the whole suite
# against the real services (MariaDB, Redis, a moto server, a real Celery worker, headless Chromium).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | sha1sum | cut -c1-12)

# Debian packages: what the product needs to run, and what only the tests need.
RUN_PACKAGES := pkg-config libmariadb-dev tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra \
	tesseract-ocr-spa tesseract-ocr-nld tesseract-ocr-ita tesseract-ocr-osd fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) mariadb-server mariadb-client redis-server chromium

.PHONY: run test bench setup lint services demo clean help

help:
	@echo "make run    set up and run the product on embedded defaults (http://$(HOST):$(PORT)/)"
	@echo "make test   set up and run the whole test suite against the real services"
	@echo "make bench  print accuracy, speed and throughput figures"

# --- setup ---------------------------------------------------------------------------------------------------
define apt_install
	missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

$(STAMP): requirements.txt
	@$(call apt_install,$(RUN_PACKAGES))
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

# --- run -----------------------------------------------------------------------------------------------------
run: setup
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Invoices is running at http://$(HOST):$(PORT)/"
	@echo "  Sign in as admin / admin (everything), reviewer / reviewer, or approver / approver."
	@echo "  Ctrl-C stops the web server and the worker."
	@echo
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A config worker --beat --loglevel INFO --concurrency 2 \
		--schedule var/celerybeat-schedule --without-gossip --without-mingle & \
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 3 --timeout 120 --access-logfile - & \
	wait

# --- test ----------------------------------------------------------------------------------------------------
services:
	@$(call apt_install,$(TEST_PACKAGES))
	@if ! mariadb-admin -h127.0.0.1 -uroot status >/dev/null 2>&1; then \
		echo "Starting MariaDB"; \
		$(SUDO) start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql; \
		for i in $$(seq 60); do mariadb-admin -uroot status >/dev/null 2>&1 && break; sleep 1; done; \
		mariadb-admin -h127.0.0.1 -uroot status >/dev/null 2>&1 || \
			$(SUDO) mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')"; \
		mariadb-admin -h127.0.0.1 -uroot status >/dev/null; \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
		echo "Starting Redis"; \
		$(SUDO) redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp; \
		for i in $$(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v1
	DJANGO_ENV=production DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -d '/+=') \
		DATABASE_URL=sqlite:///var/check.sqlite3 SECURE_COOKIES=1 SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 \
		SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

test: setup services lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var test-artifacts
