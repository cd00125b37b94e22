#!/usr/bin/env bash
# Measures the real app starting on 100,000 inspections, under Xvfb, in two
# steps, each a fresh start with a fresh HOME:
#
#  1. sign-in: time from launch to a mapped window, resident memory (VmRSS at
#     the window and once settled, VmHWM peak, split into anonymous and
#     file-backed) with the sign-in screen up;
#  2. signed in (SIGNIN=1, the default): the device remembers the demo
#     supervisor, as a tablet does its usual user, so the PIN pad is open; the
#     script types the PIN, waits until the app is idle on the home screen
#     (new inspection -> hall list is one tap away) and reads the same
#     figures (rss-MB is then the resident memory 3 s after it went idle),
#     with the time from the PIN's Enter to idle.
#
# The figures include Mesa's software GL, which a tablet's GPU driver
# replaces: llvm-MB is libLLVM alone (llvmpipe's compiler), swgl-MB all of
# what software GL maps (libLLVM, the swrast DRI driver and the X shared
# memory it presents through). Both count towards rss-MB.
#
#   scripts/measure-startup.sh            # or: make measure
#
# Environment:
#   MEASURE_DIR   where the binary, database and screenshots go (build/measure)
#   DUDAO_BENCH_DB the 100,000-inspection database; built once by
#                 TestWrite100kDB in cmd/dudao (under a minute) and reused
#   MEASURE_BIN   an already built app to measure instead of building
#                 cmd/dudao
#   SETTLE        seconds to wait after the window is up before reading the
#                 memory and taking the screenshot (3)
#   RUNS          how many times to start the app in each step (3); the
#                 screenshots (startup.png, home.png) are of the last
#   GOFLAGS       reaches go build after scripts/goflags.sh's -tags=no_emoji
#                 (the app as shipped); GOFLAGS=-tags= measures it with Fyne's
#                 bundled emoji font
#   SIGNIN        1 to also measure signed in (default), 0 to skip it
#   PIN           the PIN typed in step 2 (the demo supervisor's, 1234)
#   COLD          1 to empty the kernel's page cache before each start (root
#                 only: echo 3 > /proc/sys/vm/drop_caches). Just after go
#                 build writes the binary, the kernel maps whole large pages
#                 of it at once, which adds about 10 MB of file-backed memory
#                 a tablet that has restarted since the install does not see
#   SYSTEM_FONTS  a directory of font files the app finds as the system's
#                 (copied to the fresh HOME's ~/.local/share/fonts): a
#                 tablet has a CJK system font, which this machine may lack
#   MAPS          1 to list, after the last run of each step, the mappings
#                 holding the most resident memory ([anon] is the Go heap and
#                 Mesa's buffers, [heap] C's malloc: SQLite, Mesa, GLFW)
#
# Step 2 clicks the PIN entry where the 1280x800 window shows it, beside the
# user list; if the sign-in layout moves, the script says so rather than
# measure the wrong screen. Note that the first signed-in start on a new
# database queues its sealed inspections for sync, which writes to it.
#
# Needs xvfb-run, xdotool and ImageMagick's import
# (apt-get install xvfb xauth xdotool imagemagick).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/goflags.sh

MEASURE_DIR=${MEASURE_DIR:-build/measure}
MEASURE_DIR=$(mkdir -p "$MEASURE_DIR" && cd "$MEASURE_DIR" && pwd)
DUDAO_BENCH_DB=${DUDAO_BENCH_DB:-$MEASURE_DIR/dudao-100k.db}
SETTLE=${SETTLE:-3}
RUNS=${RUNS:-3}
SIGNIN=${SIGNIN:-1}
PIN=${PIN:-1234}
MEASURE_BIN=${MEASURE_BIN:-$MEASURE_DIR/dudao}
export MEASURE_DIR DUDAO_BENCH_DB SETTLE RUNS SIGNIN PIN MEASURE_BIN

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
	# A random first display number: two xvfb-runs started together from
	# the default 99 can pick the same one.
	exec xvfb-run -a -n $((100 + RANDOM % 400)) -s "-screen 0 1280x800x24" "$0" --inside-xvfb
fi

# Inside Xvfb. A fresh HOME keeps the app's preferences (language, last user)
# out of the real one and the same on every run.
home=$(mktemp -d)
if [ -n "${SYSTEM_FONTS:-}" ]; then
	mkdir -p "$home/.local/share/fonts"
	cp -r "$SYSTEM_FONTS"/. "$home/.local/share/fonts/"
fi
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$home"' EXIT
log=$MEASURE_DIR/dudao.log
field() { awk -v f="$1:" '$1 == f {print int($2 / 1024)}' "/proc/$pid/status"; }
# mapped sums the resident MB of the mappings whose path matches a pattern.
mapped() { awk -v re="$1" '/^[0-9a-f]+-/ {name = $6} /^Rss:/ && name ~ re {kb += $2} END {print int(kb / 1024)}' "/proc/$pid/smaps"; }
# cpu is the app's CPU time so far, in clock ticks (fields after the name).
cpu() { sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'; }
memory() {
	printf '%9d %9d %9d %9d %8d %8d\n' "$(field VmRSS)" "$(field VmHWM)" "$(field RssAnon)" "$(field RssFile)" \
		"$(mapped libLLVM)" "$(mapped 'libLLVM|_dri[.]so|libgallium|SYSV')"
}

# launch starts the app with a fresh HOME (prefs: an optional preferences
# JSON) and waits for its window; it sets pid, window and window_ms.
launch() {
	rm -rf "$home"/.config "$home"/.cache
	if [ "${COLD:-0}" = 1 ]; then
		sync
		echo 3 >/proc/sys/vm/drop_caches || { echo "measure: COLD=1 needs root" >&2; exit 1; }
	fi
	if [ -n "${1:-}" ]; then
		mkdir -p "$home/.config/fyne/cn.yunnan.dudao"
		printf '%s\n' "$1" >"$home/.config/fyne/cn.yunnan.dudao/preferences.json"
	fi
	local start mapped_at
	start=$(date +%s%N)
	HOME=$home XDG_CONFIG_HOME=$home/.config LANG=zh_CN.UTF-8 DUDAO_DB=$DUDAO_BENCH_DB \
		"$MEASURE_BIN" >"$log" 2>&1 &
	pid=$!
	window=""
	for _ in $(seq 1 1500); do # up to 30 s
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "measure: the app exited; its log:" >&2
			cat "$log" >&2
			exit 1
		fi
		window=$(xdotool search --onlyvisible --pid "$pid" 2>/dev/null | head -n1 || true)
		[ -n "$window" ] && break
		sleep 0.02
	done
	mapped_at=$(date +%s%N)
	[ -n "$window" ] || { echo "measure: no window after 30 s" >&2; exit 1; }
	window_ms=$(( (mapped_at - start) / 1000000 ))
}

# largest lists the mappings with the most resident memory, summed by name.
largest() {
	awk '/^[0-9a-f]+-/ {name = ($6 == "" ? "[anon]" : $6)} /^Rss:/ {kb[name] += $2}
		END {for (n in kb) if (kb[n] >= 1024) printf "     %6d MB  %s\n", kb[n] / 1024, n}' "/proc/$pid/smaps" | sort -rn | head -n 8
}

stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
}

printf 'database: %s (%d MB)\n' "$DUDAO_BENCH_DB" "$(( $(stat -c %s "$DUDAO_BENCH_DB") / 1048576 ))"
echo "1. sign-in screen"
printf '%-4s %10s %9s %9s %9s %9s %9s %8s %8s\n' run window-ms rss@win-MB rss-MB hwm-MB anon-MB file-MB llvm-MB swgl-MB
for run in $(seq 1 "$RUNS"); do
	launch ""
	at_window=$(field VmRSS)
	sleep "$SETTLE"
	printf '%-4s %10d %9d %s\n' "$run" "$window_ms" "$at_window" "$(memory)"
	[ "$run" = "$RUNS" ] && import -window root "$MEASURE_DIR/startup.png"
	[ "$run" = "$RUNS" ] && [ "${MAPS:-0}" = 1 ] && largest
	stop
done

if [ "$SIGNIN" = 1 ]; then
	echo "2. signed in, home screen (PIN pad open for the remembered user; PIN typed)"
	printf '%-4s %10s %9s %9s %9s %9s %9s %8s %8s\n' run window-ms ready-ms rss-MB hwm-MB anon-MB file-MB llvm-MB swgl-MB
	for run in $(seq 1 "$RUNS"); do
		launch '{"ui.lastUser":"supervisor"}'
		sleep 1 # let the PIN pad draw
		xdotool mousemove --window "$window" 860 206 click 1 # the PIN entry
		sleep 0.3
		xdotool type --delay 30 "$PIN"
		entered=$(date +%s%N)
		xdotool key Return
		# Idle: signed in, then under a quarter of a core for 3 seconds in a
		# row (the home screen keeps using about a tenth under Xvfb; one
		# quiet second can be the database waiting on the disk). ready is
		# when the quiet seconds began.
		ready=""
		quiet=0
		last=$(cpu)
		for second in $(seq 1 120); do # up to 2 min
			sleep 1
			if [ "$second" -ge 30 ] && ! grep -q 'signed in' "$log"; then
				break
			fi
			now=$(cpu)
			if grep -q 'signed in' "$log" && [ $((now - last)) -le $(( $(getconf CLK_TCK) / 4 )) ]; then
				[ "$quiet" = 0 ] && ready=$(( $(date +%s%N) - 1000000000 ))
				quiet=$((quiet + 1))
				[ "$quiet" = 3 ] && break
			else
				quiet=0
			fi
			last=$now
		done
		if ! grep -q 'signed in' "$log"; then
			import -window root "$MEASURE_DIR/signin-failed.png"
			echo "measure: the app did not sign in with PIN $PIN; has the sign-in layout moved? See $MEASURE_DIR/signin-failed.png" >&2
			exit 1
		fi
		[ "$quiet" = 3 ] || { echo "measure: the app was still busy 2 min after signing in" >&2; exit 1; }
		printf '%-4s %10d %9d %s\n' "$run" "$window_ms" "$(( (ready - entered) / 1000000 ))" "$(memory)"
		[ "$run" = "$RUNS" ] && import -window root "$MEASURE_DIR/home.png"
		[ "$run" = "$RUNS" ] && [ "${MAPS:-0}" = 1 ] && largest
		stop
	done
fi
echo "window-ms: launch to a mapped window; rss@win: VmRSS then; rss, hwm (peak), anon, file: after $SETTLE s (step 1) or once idle (step 2)"
echo "ready-ms: from the PIN's Enter until the app went idle (to within a second)"
echo "screenshots: $MEASURE_DIR/startup.png$([ "$SIGNIN" = 1 ] && echo ", $MEASURE_DIR/home.png")"
