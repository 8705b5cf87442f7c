# Cognate's developer commands. `make test` is what CI runs.
GO ?= go
# The AWS API model internal/model is generated from. It is not part of the
# repository; by default it is ../shared/api-model beside it.
COGNATE_API_MODEL ?= ../shared/api-model
API_MODEL ?= $(COGNATE_API_MODEL)
export COGNATE_API_MODEL := $(abspath $(API_MODEL))

.PHONY: run test unit verify generated generate bench help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: ## run the server on the embedded SQLite default
	$(GO) run ./cmd/cognate serve

test: verify ## everything: checks, every Go test, the end-to-end suite again on a throwaway PostgreSQL, the PostgreSQL fault tests, then the Node client suite
	scripts/pgtest.sh sh -c '$(GO) test -count=1 -timeout 15m ./... && COGNATE_E2E_STORE=postgres $(GO) test -count=1 -timeout 15m ./e2e && COGNATE_TEST_FAULTS=1 $(GO) test -count=1 -timeout 5m -run ^TestFault ./e2e'
	GO='$(GO)' scripts/nodetest.sh

unit: ## Go tests without PostgreSQL
	$(GO) test ./...

verify: ## gofmt, go vet, staticcheck, and generated code up to date
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@$(MAKE) --no-print-directory generated

generated: ## check that internal/model is what the API model generates (skipped without the model, except under CI=true)
	@if [ ! -f "$$COGNATE_API_MODEL/service-2.json" ]; then \
	  if [ "$$CI" = true ]; then echo "no API model at $$COGNATE_API_MODEL: cannot check the generated code (set API_MODEL or COGNATE_API_MODEL)"; exit 1; fi; \
	  echo "skipped the generated-code check: no API model at $$COGNATE_API_MODEL (set API_MODEL or COGNATE_API_MODEL)"; \
	else \
	  before=$$(cat internal/model/*_gen.go | sha256sum); \
	  $(GO) generate ./... || { echo "go generate ./... failed"; exit 1; }; \
	  [ "$$before" = "$$(cat internal/model/*_gen.go | sha256sum)" ] || { echo "generated code was stale: go generate ./... rewrote it; commit the result"; exit 1; }; \
	fi

generate: ## regenerate internal/model from the API model (API_MODEL=DIR, default ../shared/api-model)
	$(GO) generate ./...

bench: ## Go benchmarks of the store
	$(GO) test -run '^$$' -bench . ./internal/store/...
