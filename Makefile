# Two commands matter: `make demo` runs the pipeline locally, `make test` runs
# every test. Both install what is missing first (`make deps`).
SHELL := /bin/bash
PY := /usr/bin/python3
GO ?= go
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_PACKAGES := python3-sklearn python3-pandas python3-yaml python3-matplotlib python3-pytest

DATA := model-export/data
ART ?= model-export/artifacts
BUILD := build
MONTHS := 2022-01 2022-02

.PHONY: deps model check-model test test-python test-go

## deps: install what is missing (Debian's Python packages, Go modules).
deps:
	@$(PY) -c 'import sklearn, pandas, yaml, matplotlib, pytest' 2>/dev/null || { \
		echo "deps: installing $(APT_PACKAGES)"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); }
	@$(GO) mod download

## model: Parquet -> CSV -> training -> forest JSON -> golden answers, into $(ART).
model: deps
	@mkdir -p $(BUILD)/model $(ART)/golden
	@for m in $(MONTHS); do \
		$(GO) run ./tools/extract -in $(DATA)/green_tripdata_$$m.parquet -out $(BUILD)/model/$$m.csv || exit 1; \
	done
	$(PY) model-export/train.py --train $(BUILD)/model/2022-01.csv --val $(BUILD)/model/2022-02.csv \
		--data $(DATA)/green_tripdata_2022-01.parquet $(DATA)/green_tripdata_2022-02.parquet \
		--model $(BUILD)/model/model.pkl --metrics $(ART)/metrics.json --plot $(ART)/validation.png
	$(PY) model-export/export.py --model $(BUILD)/model/model.pkl --out $(ART)/forest.json
	$(PY) -W ignore model-export/golden.py --model $(BUILD)/model/model.pkl --forest $(ART)/forest.json \
		--rides $(foreach m,$(MONTHS),$(m)=$(BUILD)/model/$(m).csv) --out $(ART)/golden

## check-model: `make model` from the committed Parquet reproduces the committed artifacts byte for byte.
check-model:
	rm -rf $(BUILD)/check-model
	$(MAKE) --no-print-directory model ART=$(BUILD)/check-model
	diff -r $(BUILD)/check-model model-export/artifacts
	@echo "check-model: artifacts reproduced byte for byte"

test-python: deps
	$(PY) -m pytest -q -p no:cacheprovider model-export/tests

test-go: deps
	$(GO) vet ./...
	$(GO) test ./...

## test: every test.
test: check-model test-python test-go
