# Bureau's everyday commands. `make test` is what CI runs.
BUREAU_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export BUREAU_TEST_POSTGRES_URL
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-go test-web lint-openapi admin e2e vet build bench bench-admin clean

run:            ## run Bureau with the embedded database and demo content
	go run ./cmd/bureau serve

build:          ## build a static binary into ./bin/bureau
	CGO_ENABLED=0 go build -trimpath -o bin/bureau ./cmd/bureau

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...

# Everything: Go checks, the OpenAPI lint, the web admin's checks and build (which must equal
# the committed web-admin/dist), the Go tests, then the browser tests.
test: vet lint-openapi test-web test-go e2e ## all tests, on SQLite and on PostgreSQL, with the race detector

test-go:        ## the Go tests, on SQLite and on PostgreSQL, with the race detector
	@if ! go run ./models/dbtest/pgcheck >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL at $$BUREAU_TEST_POSTGRES_URL is not reachable" >&2; exit 1; fi; \
	  echo "warning: PostgreSQL is not reachable at $$BUREAU_TEST_POSTGRES_URL; testing on SQLite only" >&2; \
	  BUREAU_TEST_POSTGRES_URL= go test -race -count=1 ./...; \
	else go test -race -count=1 ./...; fi

# npm ci only when node_modules is missing or older than package-lock.json.
web-admin/node_modules/.package-lock.json: web-admin/package-lock.json
	cd web-admin && npm ci --no-audit --no-fund
	@touch $@

tools/openapi-lint/node_modules/.package-lock.json: tools/openapi-lint/package-lock.json
	cd tools/openapi-lint && npm ci --no-audit --no-fund
	@touch $@

lint-openapi: tools/openapi-lint/node_modules/.package-lock.json ## the OpenAPI document against Redocly's recommended rules
	cd tools/openapi-lint && npx --no-install redocly lint --config redocly.yaml ../../handlers/openapi.json

admin: web-admin/node_modules/.package-lock.json ## build the web admin into web-admin/dist (commit the result)
	cd web-admin && npm run build

test-web: web-admin/node_modules/.package-lock.json ## svelte-check, vitest, and a build that must equal the committed dist
	cd web-admin && npm run check
	cd web-admin && npm test
	cd web-admin && npm run build
	@if [ -n "$$(git status --porcelain --untracked-files=all -- web-admin/dist)" ]; then \
	  git status --short --untracked-files=all -- web-admin/dist | head -20 >&2; \
	  echo "web-admin/dist is out of date: run make admin and commit it" >&2; exit 1; \
	fi

# The browser tests (web-admin/e2e) against bin/bureau, built here from the
# current web-admin/dist (`make admin` first to test changes in src/).
e2e: web-admin/node_modules/.package-lock.json ## end-to-end tests in Chromium, on SQLite and PostgreSQL
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$CI" = "true" ]; then echo "Chromium is missing at $(CHROMIUM) (apt-get install chromium)" >&2; exit 1; fi; \
	  echo "warning: Chromium is missing at $(CHROMIUM) (apt-get install chromium); skipping the browser tests" >&2; \
	  exit 0; \
	fi; \
	go build -o bin/bureau ./cmd/bureau || exit 1; \
	sqlite_only=; \
	if ! go run ./models/dbtest/pgcheck >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL at $$BUREAU_TEST_POSTGRES_URL is not reachable" >&2; exit 1; fi; \
	  echo "warning: PostgreSQL is not reachable at $$BUREAU_TEST_POSTGRES_URL; browser tests on SQLite only" >&2; \
	  sqlite_only=1; \
	fi; \
	cd web-admin && BUREAU_BIN="$(CURDIR)/bin/bureau" BUREAU_CHROMIUM="$(CHROMIUM)" \
	  BUREAU_E2E_SQLITE_ONLY=$$sqlite_only npm run e2e

bench:          ## the public read benchmark (needs wrk); see bench/README.md
	bash bench/run.sh

bench-admin: web-admin/node_modules/.package-lock.json ## the admin's first-load size and time; see bench/admin/
	@test -x "$(CHROMIUM)" || { echo "Chromium is missing at $(CHROMIUM) (apt-get install chromium)" >&2; exit 1; }
	node bench/admin/first-load.mjs

clean:
	rm -rf bin bureau-data
