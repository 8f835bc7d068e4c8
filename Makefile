# Two commands matter: `make demo` runs the pipeline locally, `make test` runs
# every test. Both install what is missing first (`make deps`). A bare `make`
# lists the targets and installs nothing.
SHELL := /bin/bash
PY := /usr/bin/python3
# PYTHON: the interpreter make refresh and make shadow read the model with
# (the library versions that wrote it; mlflow, for a model URI).
PYTHON ?= /usr/bin/python3
GO ?= go
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_PACKAGES := python3-sklearn python3-pandas python3-yaml python3-matplotlib python3-pytest python3-xgboost python3-venv \
	time awscli jq gcc libc6-dev qemu-user-static graphviz

DATA := model-export/data
ART ?= model-export/artifacts
BUILD := build
MONTHS := 2022-01 2022-02

.PHONY: help deps model refresh check-model test test-python test-go
.DEFAULT_GOAL := help

# make help prints each `## target: text` comment (and the `## ` lines
# under it) in the group that the `##@ group: title` line above it names,
# the groups in HELP_GROUPS' order, with HELP_VARS' values in place of
# their $(NAME) (tools/deploy/makefile tests that none is left).
HELP_GROUPS := run test model build measure deploy
HELP_VARS := ART SHADOW_ART BUILD CHART SCALE_CHART
define HELP_AWK
BEGIN {
	n = split(groups, order, " ")
	m = split(vars, kv, "; *")
	for (i = 1; i <= m; i++) if (j = index(kv[i], "=")) val[substr(kv[i], 1, j - 1)] = substr(kv[i], j + 1)
}
function expand(s,  k) { for (k in val) gsub("\\$$\\(" k "\\)", val[k], s); return s }
/^##@ [a-z]+:/ { g = substr($$2, 1, length($$2) - 1); t = $$0; sub(/^##@ [a-z]+: */, "", t); if (t != "") title[g] = t; next }
/^## [a-z0-9-]+:/ { t = $$2; sub(/^## [^:]*: */, ""); out[g] = out[g] sprintf("  %-16s %s\n", substr(t, 1, length(t) - 1), expand($$0)); next }
/^## / { sub(/^## /, ""); out[g] = out[g] sprintf("  %-16s %s\n", "", expand($$0)) }
END {
	print "make TARGET [VAR=value ...]; a bare make prints this and installs nothing."
	for (i = 1; i <= n; i++) { printf "\n%s: %s\n%s", order[i], title[order[i]], out[order[i]]; seen[order[i]] = 1 }
	for (g in out) if (!(g in seen)) printf "\n%s (not in HELP_GROUPS)\n%s", g, out[g]
}
endef
export HELP_AWK

help:
	@awk -v groups='$(HELP_GROUPS)' -v vars='$(foreach v,$(HELP_VARS),$(v)=$($(v));)' "$$HELP_AWK" $(firstword $(MAKEFILE_LIST))

##@ build: install and build what the others need (they run these themselves when needed)
## deps: install what is missing (Debian's Python packages, AWS CLI v2, jq, gcc and graphviz through apt; build/venv from
## model-export/requirements.txt with pip, when that file changed; Go modules).
# build/venv is the second Python environment: the current pip releases
# (sklearn, xgboost, lightgbm, mlflow, pandas) that make test-python and the
# refresh tests run beside Debian's, and the deploy tools (moto_server,
# cfn-lint, aws-sam-translator), all pinned with hashes in REQUIREMENTS
# (uv pip compile model-export/requirements.in). VENV/bin goes first on PATH
# wherever the deploy tools run (check-templates here, tools/deploy/rehearse's
# TestMain). VENV_STAMP holds the sha256 of the REQUIREMENTS the venv was
# installed from, so that deps reinstalls only when the file changed. A
# failed install is removed and reported, in one sentence naming what is
# still missing and what needs it, and deps goes on: only the targets that
# need the venv fail then.
VENV := $(BUILD)/venv
VENV_PY := $(VENV)/bin/python
REQUIREMENTS := model-export/requirements.txt
VENV_STAMP := $(VENV)/.requirements.sha256
VENV_PATH := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"
SHA256 = $(PY) -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())'
# PY_MODULES_FOUND exits 0 when each module named is installed: found,
# not imported, since importing sklearn, pandas, matplotlib and xgboost
# takes 1.5 CPU-seconds and every make refresh, check-model, shadow and
# test in make test's copies runs deps first.
PY_MODULES_FOUND := import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))
deps:
	@$(PY) -c '$(PY_MODULES_FOUND)' sklearn pandas yaml matplotlib pytest xgboost ensurepip 2>/dev/null && \
		[ -x /usr/bin/time ] && [ -x /usr/bin/aws ] && [ -x /usr/bin/jq ] && [ -x /usr/bin/gcc ] && [ -f /usr/include/stdio.h ] && [ -x /usr/bin/qemu-aarch64-static ] && [ -x /usr/bin/dot ] || { \
		echo "deps: installing $(APT_PACKAGES)"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); }
	@want=$$($(SHA256) $(REQUIREMENTS)) && [ -f $(VENV_STAMP) ] && [ "$$(<$(VENV_STAMP))" = "$$want" ] || { \
		echo "deps: installing $(REQUIREMENTS) into $(VENV) with pip"; \
		rm -rf $(VENV); why=; \
		if ! $(PY) -m venv $(VENV); then why="$(PY) -m venv could not create $(VENV) (Debian's python3-venv provides it)"; \
		elif ! $(VENV)/bin/pip install --quiet --require-hashes --no-deps -r $(REQUIREMENTS); then \
			why="pip could not install $(REQUIREMENTS) into $(VENV) (its error is above)"; fi; \
		if [ -z "$$why" ]; then echo "$$want" > $(VENV_STAMP); else rm -rf $(VENV); \
			missing="the current sklearn, xgboost, lightgbm and mlflow (for make test-python and go test ./tools/model/refresh/familytest)"; \
			command -v moto_server >/dev/null || missing+=", moto_server (for go test ./tools/deploy/rehearse)"; \
			command -v cfn-lint >/dev/null || missing+=", cfn-lint (for make check-templates)"; \
			python3 -c 'import samtranslator' 2>/dev/null || missing+=", aws-sam-translator (for go test ./tools/deploy/rehearse)"; \
			echo "deps: $$why, so these are still missing: $$missing"; fi; }
	@$(GO) mod download

# Each month as CSV (training) and as ride objects, every TLC column under
# its own name (golden.py runs the model's prepare_features on them).
CSVS := $(foreach m,$(MONTHS),$(BUILD)/model/$(m).csv) $(foreach m,$(MONTHS),$(BUILD)/model/$(m).rides.jsonl)
RIDE_FILES := $(foreach m,$(MONTHS),$(m)=$(BUILD)/model/$(m).rides.jsonl)
$(BUILD)/model/%.csv: $(DATA)/green_tripdata_%.parquet
	@mkdir -p $(BUILD)/model
	$(GO) run ./tools/model/extract -in $< -out $@
$(BUILD)/model/%.rides.jsonl: $(DATA)/green_tripdata_%.parquet
	@mkdir -p $(BUILD)/model
	$(GO) run ./tools/model/extract -in $< -rides $@

# The seed's prepare_features, where the original app keeps it: make model
# compiles it like any user's (FEATURES= of make refresh).
SEED_FEATURES := model-export/baseline/lambda_function.py

##@ model: train, ship, shadow, promote or undo a model (docs/model.md)
## model: Parquet -> CSV -> training -> forest JSON -> golden answers and reference, into $(ART): the seed, trained here.
model: deps $(CSVS)
	@mkdir -p $(ART)/golden
	rm -f $(ART)/refresh.md $(ART)/refresh.png
	$(PY) model-export/train.py --train $(BUILD)/model/2022-01.csv --val $(BUILD)/model/2022-02.csv \
		--data $(DATA)/green_tripdata_2022-01.parquet $(DATA)/green_tripdata_2022-02.parquet \
		--model $(BUILD)/model/model.pkl --metrics $(ART)/metrics.json --plot $(ART)/validation.png
	$(PY) model-export/export.py --model $(BUILD)/model/model.pkl --out $(ART)/forest.json \
		--provenance $(ART)/provenance.json --origin trained --features $(SEED_FEATURES)
	$(PY) -W ignore model-export/golden.py --model $(BUILD)/model/model.pkl --forest $(ART)/forest.json --features $(SEED_FEATURES) \
		--rides $(RIDE_FILES) --out $(ART)/golden --reference $(ART)/reference.json

# refresh and shadow need MODEL. Without it they print their usage and
# stop while make reads this file, before any prerequisite runs (deps'
# apt-get and pip, the Parquet extraction), even under -j.
REFRESH_USAGE := usage: make refresh MODEL=PATH|URI [VECTORIZER=PATH] [FEATURES=FILE[:NAME]] [PYTHON=PATH] (a Pipeline or (DictVectorizer, estimator) pickle, an MLflow model directory or URI (runs:/RUN_ID/model, models:/NAME/VERSION, s3://BUCKET/.../artifacts/model; PYTHON must have mlflow), an xgboost model file or a LightGBM model.txt; VECTORIZER is a pickled DictVectorizer for a model saved without one; FEATURES the Python file that holds its prepare_features(ride); PYTHON the interpreter the model was trained with)
SHADOW_USAGE := usage: make shadow MODEL=PATH [VECTORIZER=PATH] [FEATURES=FILE[:NAME]] [PYTHON=PATH] (what make refresh takes)
ifeq ($(MODEL),)
ifneq ($(filter refresh,$(MAKECMDGOALS)),)
$(info $(REFRESH_USAGE))
$(error make refresh needs MODEL)
endif
ifneq ($(filter shadow,$(MAKECMDGOALS)),)
$(info $(SHADOW_USAGE))
$(error make shadow needs MODEL)
endif
endif

## refresh: ship the model at MODEL [VECTORIZER=preprocessor.b] [FEATURES=lambda_function.py[:NAME]] [PYTHON=...] (sklearn
## forest or boosting, xgboost or LightGBM; a path or an MLflow URI: runs:/, models:/, s3://): its prepare_features compiled
## (the seed's without FEATURES), artifacts, golden answers, generated/, parity tests against the user's Python, report.
## PYTHON=/path/to/python exports with the Python the model was trained with (LightGBM: one that has lightgbm).
refresh: deps $(CSVS)
	$(GO) run ./tools/model/refresh -python "$(PYTHON)" -model "$(MODEL)" $(if $(VECTORIZER),-vectorizer "$(VECTORIZER)") $(if $(FEATURES),-features "$(FEATURES)")

SHADOW_ART := model-export/shadow

.PHONY: shadow shadow-off promote
## shadow: compile the model at MODEL [VECTORIZER=...] [FEATURES=...] [PYTHON=...] (anything refresh takes) as the challenger,
## beside the serving model: $(SHADOW_ART)/ (artifacts, golden answers, report shadow.md), generated/shadow, its parity tests.
## The function then scores every ride with both and writes the challenger's to SHADOW_STREAM_NAME.
shadow: deps $(CSVS)
	$(GO) run ./tools/model/refresh -python "$(PYTHON)" -shadow -model "$(MODEL)" $(if $(VECTORIZER),-vectorizer "$(VECTORIZER)") $(if $(FEATURES),-features "$(FEATURES)")

## shadow-off: remove the challenger: $(SHADOW_ART)/ goes, and generated/shadow holds no model again.
shadow-off:
	rm -rf $(SHADOW_ART)
	$(GO) generate ./generated/shadow

## promote: make the challenger the serving model, from its own artifacts (no export); the old one goes.
## Writes the refresh report ($(ART)/refresh.md); make undo-refresh undoes it.
promote: deps $(CSVS)
	$(GO) run ./tools/model/refresh -python "$(PYTHON)" -promote

.PHONY: undo-refresh
## undo-refresh: back to the model committed in git: removes all that make refresh wrote
## (artifacts, its report, generated/); git status is then clean there.
undo-refresh:
	git checkout -- $(ART) generated
	git clean -fdq -- $(ART) $(SHADOW_ART) generated

##@ test: the tests and checks (make test runs them all; go test -short ./... is the fast loop)
## check-model: the artifacts are what they claim. A model trained here (make model) is
## retrained from the committed Parquet and must match byte for byte; an imported one
## (make refresh) is checked without its original file: the golden answers must agree
## with forest.json through the Python walker, and reference.json with the golden answers
## (and check-generated checks generated/).
# The line that holds $(MAKE) runs even under make -n, so it does nothing
# but read provenance.json and call make again, which passes -n on.
check-model: deps
	@$(MAKE) --no-print-directory check-model-$$($(PY) -c 'import json; print(json.load(open("model-export/artifacts/provenance.json"))["origin"])')

.PHONY: check-model-trained check-model-imported
check-model-trained:
	rm -rf $(BUILD)/check-model
	$(MAKE) --no-print-directory model ART=$(BUILD)/check-model
	diff -r $(BUILD)/check-model model-export/artifacts
	@echo "check-model: artifacts reproduced byte for byte"

check-model-imported:
	$(PY) -m pytest -q -p no:cacheprovider model-export/tests/test_walker.py model-export/tests/test_reference.py
	@echo "check-model: imported model; golden answers agree with forest.json, and reference.json with them"

## test-python: the Python tests of model-export/tests (the exporter and the walker), under Debian's Python
## and under build/venv's (the current pip releases).
test-python: deps
	$(PY) -m pytest -q -p no:cacheprovider model-export/tests
	@[ -x $(VENV_PY) ] || { echo "test-python: $(VENV_PY) is missing (make deps installs it; its message above says why it could not)"; exit 1; }
	$(VENV_PY) -m pytest -q -p no:cacheprovider model-export/tests

# The differential tests (handler's TestOriginal*: the original Python Lambda
# against ours, record by record; the fuzzer runs 3 s, -original.fuzztime)
# run the original with the pickled model generated/ was compiled from: the
# seed's is build/model/model.pkl (check-model makes it too); an imported
# model's is make refresh's MODEL, if it is still there (if not, they are
# skipped and say why).
ORIGINAL_MODEL := $(if $(shell grep -s '"origin": "trained"' model-export/artifacts/provenance.json),$(BUILD)/model/model.pkl)

## test-go: go vet, every Go test (none skipped: no -short), and the race detector's run (RACE_PKGS).
# SLOW_PKGS are named first, longest first, so that go test starts them
# first (it runs packages in the order named; PLAIN_PKGS adds the rest once):
# the family test alone takes most of the run, and started last it ran
# on after everything else had finished. It holds one of go test's package
# slots throughout, so -p 3 leaves the other packages the two that -p's
# default (2 here, the cores) gave them; most of them wait on child
# processes and servers more than they compute.
# OMP_NUM_THREADS=1: the Python the tests start answers on one thread anyway
# (the reference answers are one thread's), and OpenMP's spinning threads
# (HistGradientBoosting) took ten times one thread's CPU on this shared
# machine.
# env -u MAKEFLAGS ...: the tests run make themselves (the Makefile's own
# tests, refreshes in copies); under make test's -j they would inherit its
# jobserver, which they cannot use, and make's warning about it.
SLOW_PKGS := ./tools/model/refresh/familytest ./tools/model/refresh ./tools/deploy/rehearse ./e2e ./docs/doctest
TEST_ENV = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL OMP_NUM_THREADS=1 RIE=$(CURDIR)/$(BUILD)/aws-lambda-rie BOOTSTRAP=$(CURDIR)/$(BUILD)/bootstrap
# Its two runs are two targets, which make -j runs side by side.
.PHONY: test-go-all test-go-race
test-go: test-go-all test-go-race
test-go-all: deps package rie kinesalite $(ORIGINAL_MODEL)
	$(GO) vet ./...
	$(TEST_ENV) $(GO) test -timeout 30m -p 3 $(SLOW_PKGS) $(PLAIN_PKGS)
test-go-race: deps package rie kinesalite $(ORIGINAL_MODEL)
	$(TEST_ENV) $(GO) test -timeout 30m -race $(RACE_PKGS)

# The race detector's run: the packages whose own goroutines it can judge
# (the handler and its writer, the de-aggregator, the ride parser, the
# local stack and its collector, the mapping, the kinesalite readers, the
# metrics reader, the process helpers). Not the tests that mostly wait on
# child processes (make, python, the emulator: tools/model/refresh,
# tools/deploy/rehearse, e2e/), which the plain run above has already run once.
# The plain run leaves these out (PLAIN_PKGS), so that each test runs once.
RACE_PKGS := ./handler ./handler/kinesisout ./handler/kpl ./handler/ride ./internal/original \
	./localstack ./localstack/proc ./localstack/esm ./localstack/kinesalite ./localstack/emf \
	./internal/rides
PLAIN_PKGS = $(filter-out $(patsubst ./%,$(MODULE)/%,$(RACE_PKGS)),$(shell $(GO) list ./...))
MODULE := $(shell sed -n 's/^module //p' go.mod)

## test: every test.
# Side by side where they are independent, on this 2-core machine: the
# model checks beside the Python tests, then the Go tests, their race
# detector's run and the arm64 run (the first holds the family test, the
# longest chain; the others end while it runs). test-go waits for check-model, which writes build/model/model.pkl
# (test-go's ORIGINAL_MODEL); deps runs first, alone (it may install
# build/venv). The arm64 package is built before the second pair, since
# tools/deploy/rehearse's tests build it too: then both find it up to date
# (go build leaves it alone, and the zip is replaced by a rename).
test: deps check-size check-fmt check-generated check-templates
	$(MAKE) --no-print-directory -j2 check-model test-python
	$(MAKE) --no-print-directory package ARCH=arm64
	$(MAKE) --no-print-directory -j3 test-go test-arm64

# Tracked files may be over 5 MB only if listed here: the rides the model is
# trained on and the model's artifacts (a refreshed model's can be larger).
BIG_FILES := $(DATA)/green_tripdata_2022-01.parquet $(DATA)/green_tripdata_2022-02.parquet \
	model-export/artifacts/forest.json model-export/artifacts/golden/rides.jsonl.gz \
	model-export/artifacts/golden/edges.jsonl.gz

.PHONY: check-size
## check-size: no tracked file is over 5 MB except those in BIG_FILES (a compiled test binary once was).
check-size:
	@big=$$(git ls-files -z | xargs -0 -r stat -c '%s %n' 2>/dev/null | \
		awk '$$1 > 5 * 1024 * 1024 { sub(/^[0-9]+ /, ""); print }' | grep -vxF -f <(printf '%s\n' $(BIG_FILES))); \
	if [ -n "$$big" ]; then echo "check-size: tracked files over 5 MB (list them in the Makefile's BIG_FILES if they belong):"; echo "$$big"; exit 1; fi
	@echo "check-size: no tracked file over 5 MB but the data and model artifacts"

.PHONY: check-fmt
## check-fmt: every hand-written Go file is gofmt-clean (generated/ is checked by check-generated).
check-fmt:
	@files=$$($$($(GO) env GOROOT)/bin/gofmt -l $$(git ls-files '*.go' | grep -v '^generated/')); \
	if [ -n "$$files" ]; then echo "check-fmt: gofmt would change:"; echo "$$files"; exit 1; fi
	@echo "check-fmt: Go files are gofmt-clean"

.PHONY: check-templates
## check-templates: AWS's linter on both templates; any warning fails.
check-templates: deps
	$(VENV_PATH) cfn-lint template.yaml template-image.yaml

.PHONY: generate check-generated
##@ model:
## generate: recompile the shipped forest into generated/, and the shadow's (or none) into generated/shadow (go generate).
generate:
	$(GO) generate ./generated ./generated/shadow

##@ test:
## check-generated: generated/ and generated/shadow are exactly what gen writes now: the
## //go:generate command of each (generate.go, shadow/generate_test.go), run with -check.
GENERATED := generated/generate.go generated/shadow/generate_test.go
check-generated:
	@for file in $(GENERATED); do dir=$$(dirname $$file); \
		cmd=$$(sed -n 's|^//go:generate ||p' $$file); \
		[ -n "$$cmd" ] && [ $$(printf '%s\n' "$$cmd" | wc -l) -eq 1 ] || { echo "check-generated: want one //go:generate line in $$file"; exit 1; }; \
		echo "cd $$dir && $$cmd -check"; (cd $$dir && $$cmd -check) || exit 1; \
	done
	@echo "check-generated: generated/ and generated/shadow are up to date"

# How the Lambda binary is built, named once: bootstrap uses it, and
# tools/measure/benchscale reads it (make print-LAMBDA_ENV print-LAMBDA_FLAGS).
# ARCH is the function's architecture in Lambda's words (x86_64 or arm64;
# Docker's amd64 means x86_64), and the templates' default is the same: the
# x86_64 build goes to build/, where the tests and the local stack run it,
# and an arm64 one to build/arm64/ (LAMBDA_DIR overrides either). GOARCH in
# the environment is ignored: the emulator and the tools are always built
# for this machine.
ARCH ?= x86_64
GOARCH_x86_64 := amd64
GOARCH_amd64 := amd64
GOARCH_arm64 := arm64
LAMBDA_GOARCH = $(or $(GOARCH_$(ARCH)),$(error ARCH=$(ARCH): want x86_64 or arm64))
LAMBDA_DIR ?= $(BUILD)$(if $(filter arm64,$(ARCH)),/arm64)
LAMBDA_ENV := CGO_ENABLED=0 GOOS=linux
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
HOST_GOARCH = $(shell GOARCH= $(GO) env GOHOSTARCH)

# print-VAR prints VAR's words one a line, as the shell splits them.
print-%:
	@printf '%s\n' $($*)

.PHONY: bootstrap package rie
##@ deploy: what AWS gets (DEPLOY.md)
## bootstrap: the Lambda binary for provided.al2023 (ARCH=arm64 for Graviton: build/arm64/bootstrap).
bootstrap:
	@mkdir -p $(LAMBDA_DIR)
	$(LAMBDA_ENV) GOARCH=$(LAMBDA_GOARCH) $(GO) build $(LAMBDA_FLAGS) -o $(LAMBDA_DIR)/bootstrap ./handler/cmd/bootstrap

## package: build/function.zip with bootstrap at its root (ARCH=arm64: build/arm64/function.zip).
# The zip is written to a temporary name and renamed, so that a test that
# reads build/function.zip meanwhile sees the old file or the new one.
package: bootstrap
	cd $(LAMBDA_DIR) && $(PY) -m zipfile -c function.zip.$$$$.tmp bootstrap && mv function.zip.$$$$.tmp function.zip
	@ls -l $(LAMBDA_DIR)/bootstrap $(LAMBDA_DIR)/function.zip

##@ build:
## rie: build/aws-lambda-rie, the AWS Lambda Runtime Interface Emulator (RIE) pinned in go.mod, built for this machine:
## what runs the function locally as Lambda would (the tests, make demo and the benches use it).
rie:
	@mkdir -p $(BUILD)
	GOARCH=$(HOST_GOARCH) $(GO) build -o $(BUILD)/aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

.PHONY: test-arm64
##@ test:
## test-arm64: the arm64 (Graviton) build of the model and the handler, run under qemu-user:
## generated/'s parity tests (and the shadow's), handler/... (the emulator's tests run the arm64 function).
# The test binaries are arm64 and run under qemu-aarch64-static; what they
# start (the emulator, kinesalite, go) is this machine's and runs natively,
# and BOOTSTRAP is the arm64 function behind a wrapper that execs it under
# qemu, so the emulator tests run the Graviton build.
QEMU := qemu-aarch64-static
test-arm64: deps rie
	$(MAKE) --no-print-directory package ARCH=arm64
	printf '#!/bin/sh\nexec %s %s "$$@"\n' "$$(command -v $(QEMU))" "$(CURDIR)/$(BUILD)/arm64/bootstrap" > $(BUILD)/arm64/bootstrap-qemu
	chmod +x $(BUILD)/arm64/bootstrap-qemu
	RIE=$(CURDIR)/$(BUILD)/aws-lambda-rie BOOTSTRAP=$(CURDIR)/$(BUILD)/arm64/bootstrap-qemu \
		GOARCH=arm64 CGO_ENABLED=0 $(GO) test -timeout 30m -exec "env -u GOARCH $(QEMU)" ./generated/... ./handler/...

.PHONY: bench
$(BUILD)/model/model.pkl:
	$(MAKE) --no-print-directory model ART=$(BUILD)/_bench-model

##@ measure: benchmarks; each stores its results beside its tool and rewrites BENCHMARKS.md's tables from them
## bench: Go vs sklearn and the original Python Lambda: the predictor, the handler, cold starts, the build, a shadow's cost.
## Stores tools/measure/bench/results.json and rewrites BENCHMARKS.md's bench tables; BENCH_FLAGS="-python-runs 5
## -shadow-rounds 3" for a shorter run; CHART=tools/measure/bench/cold_start.png updates the committed chart
## (default $(CHART)). The original's cold start loads its model through MLflow from S3 in moto, as the original does.
CHART ?= $(BUILD)/cold_start.png
BENCH_FLAGS ?=
bench: deps package rie $(BUILD)/model/model.pkl
	$(GO) run ./tools/measure/bench -chart $(CHART) $(BENCH_FLAGS)

.PHONY: bench-scale
## bench-scale: generator cost at ~0.2, 0.6, 1.7 and 5.5 M nodes: stores tools/measure/benchscale/scale.json and
## rewrites BENCHMARKS.md's table (ONLY=seed measures one row again); SCALE_CHART=tools/measure/benchscale/scale.png
## updates the committed chart (default $(SCALE_CHART)).
SCALE_CHART ?= $(BUILD)/scale/scale.png
ONLY ?=
bench-scale: deps $(CSVS)
	$(GO) run ./tools/measure/benchscale -dir $(BUILD)/scale -chart $(SCALE_CHART) $(if $(ONLY),-only $(ONLY))

.PHONY: bench-families
## bench-families: make bench-scale's tool (tools/measure/benchscale -families) on one model per family (forest,
## GradientBoosting, HistGradientBoosting, XGBRegressor, the Zoomcamp's xgboost, LightGBM) against its library, LightGBM
## also against lleaves: stores tools/measure/benchscale/families.json and rewrites BENCHMARKS.md's table (ONLY=NAME as above).
bench-families: deps $(CSVS)
	$(GO) run ./tools/measure/benchscale -families -dir $(BUILD)/families $(if $(ONLY),-only $(ONLY))

.PHONY: bench-stream
## bench-stream: the local stack's rides/s, latency and CPU at 1, 2 and 4 shards, PF 1 and 4, batches of 100 to 10,000,
## and the function under each memory size's CPU share (root, for a cgroup): stores tools/measure/benchstream/stream.json
## (which go run ./tools/measure/capacity reads) and stream.png, and rewrites BENCHMARKS.md's section, whose heading
## gives the run's time.
bench-stream: deps package rie kinesalite $(BUILD)/model/model.pkl
	$(GO) run ./tools/measure/benchstream -dir $(BUILD)/stream

.PHONY: kinesalite demo up
##@ build:
## kinesalite: the local Kinesis server and aws-kinesis-agg (the tests' KPL producer), pinned by localstack/kinesalite/package-lock.json.
kinesalite:
	@[ -d localstack/kinesalite/node_modules/kinesalite ] && [ -d localstack/kinesalite/node_modules/aws-kinesis-agg ] \
		|| (cd localstack/kinesalite && npm ci --no-audit --no-fund --loglevel=error)

##@ run: see it work on this machine (kinesalite, the emulator, the local event source mapping)
## demo: stream Feb 2022 rides through kinesalite, the emulator and the Lambda binary (N=10000 by default; SHARDS=4, PF=1).
## SHADOW=PATH [VECTORIZER=...] first ships PATH as the shadow (make shadow; it stays: make shadow-off or make promote),
## and with a shadow compiled in the demo ends with its shadow report (build/shadowreport/report.md).
N ?= 10000
# SHARDS: ride_events' shards (unset: 4 for demo, 1 for up); PF: the
# mapping's ParallelizationFactor (1 to 10). Each batch the mapping may run
# at once, SHARDS × PF, gets an emulator of its own, up to 16.
SHARDS ?=
PF ?= 1
STACK_FLAGS = $(if $(SHARDS),-shards $(SHARDS)) -parallelization-factor $(PF)
# SHADOW: a model to ship as the shadow before the stack is built (make
# shadow MODEL=$(SHADOW)); a shadow already compiled in needs no SHADOW.
SHADOW ?=
demo: deps $(if $(SHADOW),demo-shadow) package rie kinesalite
	$(GO) run ./tools/local/demo -n $(N) $(STACK_FLAGS)

## up: make demo's stack without its rides (tools/local/demo -up: kinesalite, the function under the emulator, the mapping)
## until Ctrl-C; prints how to use it (SHARDS=1, PF=1).
## With a shadow compiled in (or SHADOW=PATH, as for demo), the shadow's stream too, for go run ./tools/operate/shadowreport.
## MLFLOW=1: an MLflow tracking server too (SQLite, artifacts in moto's S3; build/venv's mlflow), for train, log, register, refresh.
MLFLOW ?=
up: deps $(if $(SHADOW),demo-shadow) package rie kinesalite
	$(GO) run ./tools/local/demo -up $(STACK_FLAGS) $(if $(filter 1,$(MLFLOW)),-mlflow $(CURDIR)/$(VENV)/bin/python)

.PHONY: demo-shadow
## demo-shadow: what demo and up run first when given SHADOW=PATH: make shadow MODEL=PATH (it stays compiled in).
demo-shadow:
	$(MAKE) --no-print-directory shadow MODEL="$(SHADOW)" $(if $(VECTORIZER),VECTORIZER="$(VECTORIZER)") PYTHON="$(PYTHON)"

.PHONY: docs
##@ build:
## docs: draw docs/system.svg, README's picture of the system, from docs/system.dot with graphviz's dot.
docs:
	dot -Tsvg docs/system.dot -o docs/system.svg
