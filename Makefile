# Two commands on a fresh machine:  `make demo`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-sqlite test-postgres lint serve clean

demo: $(STAMP)
	$(VENV)/bin/storyline ingest demo/corpus
	$(VENV)/bin/storyline stories

# Two passes: the whole suite on SQLite (tests/store on PostgreSQL too), then the tests that
# use a store again on PostgreSQL + pgvector (chosen by the fixtures they use: tests/conftest.py).
test: $(STAMP)
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(STAMP)
	@echo "=== SQLite pass: the whole suite (tests/store on both backends) ==="
	$(PY) -m pytest

test-postgres: $(STAMP)
	@echo "=== PostgreSQL pass: the tests that use a store, on PostgreSQL 16 + pgvector ==="
	STORYLINE_TEST_BACKEND=postgres $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks demo
	$(VENV)/bin/mypy

serve: $(STAMP)
	$(VENV)/bin/storyline serve

# torch is installed first, pinned, so pip takes the CPU wheel on this machine instead of
# resolving a CUDA build from the index.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[web,dev,ray,postgres]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) storyline.db storyline.db-wal storyline.db-shm artifacts
