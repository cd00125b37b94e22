#!/usr/bin/env bash
# Measures the real app starting on 100,000 inspections: time from launch to a
# mapped window, resident memory (VmRSS at the window and once settled, VmHWM
# peak, split into anonymous and file-backed) and a screenshot of what it
# shows (the sign-in screen: the hall list is behind the PIN). Runs under Xvfb, so the figures include
# Mesa's software GL (llvmpipe), which a tablet's GPU driver does not need.
#
#   scripts/measure-startup.sh            # or: make measure
#
# Environment:
#   MEASURE_DIR   where the binary, database and screenshot go (build/measure)
#   DUDAO_BENCH_DB the 100,000-inspection database; built once by
#                 TestWrite100kDB in cmd/dudao (under a minute) and reused
#   MEASURE_BIN   an already built app to measure instead of building
#                 cmd/dudao
#   SETTLE        seconds to wait after the window is up before reading the
#                 memory and taking the screenshot (3)
#   RUNS          how many times to start the app (3); each start gets a
#                 fresh HOME, the screenshot is of the last
#
# Needs xvfb-run, xdotool and ImageMagick's import
# (apt-get install xvfb xauth xdotool imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."

MEASURE_DIR=${MEASURE_DIR:-build/measure}
MEASURE_DIR=$(mkdir -p "$MEASURE_DIR" && cd "$MEASURE_DIR" && pwd)
DUDAO_BENCH_DB=${DUDAO_BENCH_DB:-$MEASURE_DIR/dudao-100k.db}
SETTLE=${SETTLE:-3}
RUNS=${RUNS:-3}
MEASURE_BIN=${MEASURE_BIN:-$MEASURE_DIR/dudao}
export MEASURE_DIR DUDAO_BENCH_DB SETTLE RUNS MEASURE_BIN

if [ "${1:-}" != "--inside-xvfb" ]; then
	for tool in xvfb-run xdotool import; do
		command -v "$tool" >/dev/null || { echo "measure: $tool is missing (apt-get install xvfb xauth xdotool imagemagick)" >&2; exit 1; }
	done
	if [ "$MEASURE_BIN" = "$MEASURE_DIR/dudao" ]; then
		echo "measure: building cmd/dudao" >&2
		go build -o "$MEASURE_BIN" ./cmd/dudao
	fi
	if [ ! -e "$DUDAO_BENCH_DB" ]; then
		echo "measure: writing the 100,000-inspection database to $DUDAO_BENCH_DB" >&2
		rm -rf "$DUDAO_BENCH_DB.photos" "$DUDAO_BENCH_DB-wal" "$DUDAO_BENCH_DB-shm"
		go test -count=1 -run '^TestWrite100kDB$' ./cmd/dudao/ >/dev/null
	else
		echo "measure: reusing $DUDAO_BENCH_DB" >&2
	fi
	exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" --inside-xvfb
fi

# Inside Xvfb. A fresh HOME keeps the app's preferences (language, last user)
# out of the real one and the same on every run.
home=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$home"' EXIT
field() { awk -v f="$1:" '$1 == f {print int($2 / 1024)}' "/proc/$pid/status"; }

printf 'database: %s (%d MB)\n' "$DUDAO_BENCH_DB" "$(( $(stat -c %s "$DUDAO_BENCH_DB") / 1048576 ))"
printf '%-4s %10s %9s %9s %9s %9s %9s %8s\n' run window-ms rss@win-MB rss-MB hwm-MB anon-MB file-MB llvm-MB
for run in $(seq 1 "$RUNS"); do
	rm -rf "$home"/.config "$home"/.cache
	start=$(date +%s%N)
	HOME=$home XDG_CONFIG_HOME=$home/.config LANG=zh_CN.UTF-8 DUDAO_DB=$DUDAO_BENCH_DB \
		"$MEASURE_BIN" >"$MEASURE_DIR/dudao.log" 2>&1 &
	pid=$!
	window=""
	for _ in $(seq 1 1500); do # up to 30 s
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "measure: the app exited; its log:" >&2
			cat "$MEASURE_DIR/dudao.log" >&2
			exit 1
		fi
		window=$(xdotool search --onlyvisible --pid "$pid" 2>/dev/null | head -n1 || true)
		[ -n "$window" ] && break
		sleep 0.02
	done
	mapped=$(date +%s%N)
	[ -n "$window" ] || { echo "measure: no window after 30 s" >&2; exit 1; }
	at_window=$(field VmRSS)

	sleep "$SETTLE"
	# Mesa's software rasteriser maps libLLVM; a real GPU driver does not.
	llvm=$(awk '/^[0-9a-f]+-/ {name = $6} /^Rss:/ && name ~ /libLLVM/ {kb += $2} END {print int(kb / 1024)}' "/proc/$pid/smaps")
	printf '%-4s %10d %9d %9d %9d %9d %9d %8d\n' "$run" "$(( (mapped - start) / 1000000 ))" "$at_window" \
		"$(field VmRSS)" "$(field VmHWM)" "$(field RssAnon)" "$(field RssFile)" "$llvm"
	[ "$run" = "$RUNS" ] && import -window root "$MEASURE_DIR/startup.png"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
done
echo "window-ms: launch to a mapped window; rss@win: VmRSS then; rss, hwm (peak), anon, file: after $SETTLE s"
echo "screenshot: $MEASURE_DIR/startup.png"
