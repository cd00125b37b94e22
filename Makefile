# Everyday targets. The two set-up commands in the README (scripts/run-demo.sh,
# scripts/test.sh) install system packages first; these assume they are there.

# The app is built, tested and packaged without Fyne's emoji font, as the
# scripts do (scripts/goflags.sh says why). A -tags of your own in GOFLAGS
# replaces this one (go keeps the last): include no_emoji in it.
TAGS := no_emoji
export GOFLAGS := -tags=$(TAGS) $(GOFLAGS)

SCREENSHOTS_DIR ?= build/screenshots
BENCHTIME ?= 1x

.PHONY: run test bench bench-filter bench-sync bench-sync-ab bench-startup measure screenshots hub demo package package-windows fmt vet

run:
	go run ./cmd/dudao --demo

test:
	./scripts/test.sh

# Benchmarks with the figures quoted in the README. The 100,000-inspection
# database is built once per run, inside the benchmark.
bench:
	go test -run='^$$' -bench=. -benchmem -benchtime=2000x ./app/store/ ./app/report/ | tee build-bench.txt

# The manager's inspection filters on 100,000 sealed inspections (the fixture
# is built once, about 2 minutes, and kept in $TMPDIR).
bench-filter:
	go test -run='^$$' -bench=InspectionFilter -benchtime=30x ./app/admin/

# Sync to a hub over loopback against a raw HTTPS copy of the same bytes, at
# the issue's full size (about a minute a run).
bench-sync:
	DUDAO_SYNC_BENCH=full go test -run='^$$' -bench=SyncLoopback -benchtime=1x -count=3 ./app/sync/

# The same benchmark for two versions in alternating runs, which this
# machine's changing disk and CPU need: make bench-sync-ab BASE=<rev> [REV=<rev>]
# (without REV, the working tree), RUNS each (3).
RUNS ?= 3
bench-sync-ab:
	./scripts/bench-sync-ab.sh -n $(RUNS) $(BASE) $(REV)

# Start-up on 100,000 inspections: the data path to a usable hall list and the
# first screen rendered by the test driver (cmd/dudao/bench_test.go).
bench-startup:
	go test -run='^$$' -bench=Startup -benchtime=5x ./cmd/dudao/

# The real app under Xvfb on 100,000 inspections: time to window, VmRSS and
# VmHWM, and a screenshot (scripts/measure-startup.sh; needs xdotool).
measure:
	./scripts/measure-startup.sh

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

# A Linux package of the app (fyne.io/tools from the module proxy), as
# build/督导通.tar.xz. fyne rewrites FyneApp.toml (bumps Build, drops
# comments), so the file is saved first and put back whatever happens; see
# docs/packaging.md for Windows and Android.
FYNE ?= go run fyne.io/tools/cmd/fyne@v1.7.4
package:
	mkdir -p build && cp FyneApp.toml build/FyneApp.toml.orig
	cd cmd/dudao && $(FYNE) package -os linux -release=false -tags $(TAGS); \
		status=$$?; cd ../.. && cp build/FyneApp.toml.orig FyneApp.toml && rm build/FyneApp.toml.orig; \
		[ $$status -eq 0 ] && mv cmd/dudao/*.tar.xz build/ && ls -l build/*.tar.xz; exit $$status

# The Windows executable, cross-built with mingw-w64
# (apt-get install gcc-mingw-w64-x86-64).
package-windows:
	CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
		go build -ldflags=-H=windowsgui -o build/dudao.exe ./cmd/dudao

fmt:
	gofmt -l -w app cmd assets data

vet:
	go vet ./...
