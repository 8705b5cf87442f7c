# Cognate's developer commands. `make test` is what CI runs.
GO ?= go

.PHONY: run test unit verify generate bench help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: ## run the server on the embedded SQLite default
	$(GO) run ./cmd/cognate serve

test: verify ## everything: checks, every Go test, the end-to-end suite again on a throwaway PostgreSQL, then the Node client suite
	scripts/pgtest.sh sh -c '$(GO) test -count=1 -timeout 15m ./... && COGNATE_E2E_STORE=postgres $(GO) test -count=1 -timeout 10m ./e2e' 
	GO='$(GO)' scripts/nodetest.sh

unit: ## Go tests without PostgreSQL
	$(GO) test ./...

verify: ## gofmt, go vet, staticcheck, and generated code up to date
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@before=$$(cat internal/model/*_gen.go | sha256sum); $(GO) generate ./...; \
	  [ "$$before" = "$$(cat internal/model/*_gen.go | sha256sum)" ] || { echo "generated code was stale: go generate ./... rewrote it; commit the result"; exit 1; }

generate: ## regenerate internal/model from ../shared/api-model
	$(GO) generate ./...

bench: ## Go benchmarks of the store
	$(GO) test -run '^$$' -bench . ./internal/store/...
