# Two entry points for a fresh machine: `make demo` (the main job) and `make test`.
# Both create .venv on first use and install the core, the three plugins and the test extras
# from this checkout.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tlcore-installed
SETUPS := setup.py tlcore_vision/setup.py tlcore_nlp/setup.py tlcore_rl/setup.py \
	plugins/tlcore-maxout/setup.py

.PHONY: install demo test bench docs lint

$(STAMP): $(SETUPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[cpu,test]" -e ./tlcore_vision -e "./tlcore_nlp[sacrebleu]" \
		-e ./tlcore_rl -e ./plugins/tlcore-maxout
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tlcore run mnist-mlp

test: $(STAMP)
	$(PY) -m pytest -q tests

bench: $(STAMP)
	$(PY) benchmarks/bench_mlp.py

# The API reference from the docstrings (mkdocs.yml), into site/; any warning fails the build.
$(VENV)/.tlcore-docs: $(STAMP)
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

docs: $(VENV)/.tlcore-docs
	$(VENV)/bin/mkdocs build --strict

# ruff and mypy with the settings in pyproject.toml (.ci/lint); nonzero on any finding.
$(VENV)/.tlcore-lint: $(STAMP)
	$(PY) -m pip install --quiet -e ".[lint]"
	touch $@

lint: $(VENV)/.tlcore-lint
	VENV=$(VENV) .ci/lint
