# make test: install test dependencies, then check formatting, vet and run
# every test with the race detector. CI runs exactly this (.ci/run).
GO ?= go

.PHONY: test deps check demo bench chaos model

test: deps check
	$(GO) test -race -count=1 -timeout 20m ./...

deps:
	./scripts/test-deps.sh

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

demo:
	$(GO) run ./cmd/seismo demo

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# chaos: the full fault-injection suite (make test runs its short variant):
# worker, leader, redis-server and broker killed with -9, network latency,
# resets and 30-second cuts, each run held to the backtest of its stream.
chaos: deps
	$(GO) test -count=1 -timeout 30m -run TestChaos -v ./internal/chaos -chaos.full

# model: train the classifier's learned stage again on the labelled corpus
# (train split; tune split calibrates; test split is never read) and the
# tuning set, and write the embedded model file.
model:
	cat classify/testdata/corpus/*.jsonl classify/testdata/tune/*.jsonl | $(GO) run ./cmd/seismo train --posts - --out classify/model.bin
