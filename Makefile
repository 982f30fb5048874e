# Two commands on a fresh machine:  `make demo`  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint serve clean

demo: $(STAMP)
	$(VENV)/bin/storyline ingest demo/corpus
	$(VENV)/bin/storyline stories

test: $(STAMP)
	$(PY) -m pytest

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
