# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format install install-test system-run-deps system-test-deps system-bench-deps bench clean api-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install system-run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --if-empty
	@echo ""
	@echo "打开 http://$(HOST):$(PORT)/ ，用上面的演示账号登录（Ctrl+C 停止）。"
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# Printable pages (WeasyPrint) need pango and the Noto CJK fonts; browser tests need Chromium.
PDF_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0

system-run-deps:
	@if ! fc-list 2>/dev/null | grep -qi 'Noto.*CJK' || ! ldconfig -p | grep -q libpangoft2; then \
		echo "Installing $(PDF_PACKAGES) from Debian…"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PDF_PACKAGES) >/dev/null \
		|| echo "Could not install $(PDF_PACKAGES): printable PDFs will lack Chinese fonts."; \
	fi

system-test-deps: system-run-deps
	@if ! command -v chromium >/dev/null; then \
		echo "Installing chromium from Debian…"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

test: install-test system-test-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The check-in benchmark loads gunicorn with wrk; it also wants PostgreSQL on 127.0.0.1:5432
# (BENCH_POSTGRES), else that column says skipped. `make bench BENCH_ARGS=checkin` runs it alone.
system-bench-deps:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk from Debian…"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; \
	fi

bench: install-test system-bench-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Fuzz the API (schemathesis) against a fresh demo database: no 5xx, no undocumented status.
api-check: install-test
	BIN=$(BIN) scripts/api_check.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
