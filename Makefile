# Everyday targets. The two set-up commands in the README (scripts/run-demo.sh,
# scripts/test.sh) install system packages first; these assume they are there.

SCREENSHOTS_DIR ?= build/screenshots
BENCHTIME ?= 1x

.PHONY: run test bench screenshots hub demo package fmt vet

run:
	go run ./cmd/dudao

test:
	./scripts/test.sh

# Benchmarks with the figures quoted in the README. The 100,000-inspection
# database is built once per run, inside the benchmark.
bench:
	go test -run='^$$' -bench=. -benchmem -benchtime=2000x ./app/store/ ./app/report/ | tee build-bench.txt

# Renders every main screen at tablet, phone and desktop sizes to fresh PNGs.
screenshots:
	rm -rf $(SCREENSHOTS_DIR) && mkdir -p $(SCREENSHOTS_DIR)
	SCREENSHOTS_DIR=$(abspath $(SCREENSHOTS_DIR)) go test -count=1 -run '^TestScreenshots$$' ./app/ui/
	@ls $(SCREENSHOTS_DIR)

hub:
	go build -o build/dudao-hub ./cmd/dudao-hub

demo: hub
	rm -f build/demo.db* && rm -rf build/demo.db.photos
	./build/dudao-hub demo --db build/demo.db

# A Linux package of the app (fyne.io/tools from the module proxy).
package:
	cd cmd/dudao && go run fyne.io/tools/cmd/fyne@v1.7.4 package -os linux

fmt:
	gofmt -l -w app cmd assets data

vet:
	go vet ./...
