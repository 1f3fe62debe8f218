# The single entry point for people and CI: `make demo`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo pdf-packages test bench lint typecheck check install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

demo: $(VENV)/.installed pdf-packages
	$(BIN)/watchfloor demo --host $(HOST) --port $(PORT)

# PDF exports need Pango and a CJK font: the app's own probe names what this machine lacks,
# and Debian's apt-get installs it (as root, or through sudo). Without either the demo still
# starts, and a PDF request answers with the packages to install.
pdf-packages: $(VENV)/.installed
	@missing="$$($(BIN)/python -m server.export.pdf_ready 2>/dev/null)"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; \
	else sudo=none; fi; \
	if ! command -v apt-get >/dev/null || [ "$$sudo" = none ]; then \
		echo "PDF export needs: $$missing (not installed: no apt-get or no root)"; exit 0; fi; \
	echo "installing for PDF export: $$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing || \
		echo "PDF export needs: $$missing (apt-get failed)"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# Browser tests drive Debian's Chromium (never a downloaded browser); CJK and emoji fonts for
# pages and PDFs (what people type is drawn, not boxes); Pango for WeasyPrint's PDF exports;
# nginx and envsubst (gettext-base) for the proxy topology test (tests/deploy/).
CHROMIUM ?= /usr/bin/chromium
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
NGINX := /usr/sbin/nginx
ENVSUBST := /usr/bin/envsubst
$(CHROMIUM) $(EMOJI_FONT) $(NGINX) $(ENVSUBST):
	@command -v apt-get >/dev/null || { echo "install chromium, fonts-noto-color-emoji, nginx"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk \
		fonts-noto-color-emoji libpango-1.0-0 libpangoft2-1.0-0 nginx gettext-base

test: $(VENV)/.installed-dev | $(CHROMIUM) $(EMOJI_FONT) $(NGINX) $(ENVSUBST)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# Benchmarks against a real PostgreSQL (DATABASE_URL) and Redis; JSON in bench/results/.
bench: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} $(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
