# Bureau's everyday commands. `make test` is what CI runs.
BUREAU_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export BUREAU_TEST_POSTGRES_URL

.PHONY: run test vet build bench clean

run:            ## run Bureau with the embedded database and demo content
	go run ./cmd/bureau serve

build:          ## build a static binary into ./bin/bureau
	CGO_ENABLED=0 go build -trimpath -o bin/bureau ./cmd/bureau

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	go vet ./...

test: vet       ## all tests, on SQLite and on PostgreSQL, with the race detector
	@if ! go run ./models/dbtest/pgcheck >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ]; then echo "PostgreSQL at $$BUREAU_TEST_POSTGRES_URL is not reachable" >&2; exit 1; fi; \
	  echo "warning: PostgreSQL is not reachable at $$BUREAU_TEST_POSTGRES_URL; testing on SQLite only" >&2; \
	  BUREAU_TEST_POSTGRES_URL= go test -race -count=1 ./...; \
	else go test -race -count=1 ./...; fi

bench:          ## the public read benchmark (needs wrk); see bench/README.md
	bash bench/run.sh

clean:
	rm -rf bin bureau-data
