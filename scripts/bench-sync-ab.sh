#!/usr/bin/env bash
# Compares the sync benchmark of two versions of the code in interleaved runs.
# This machine's disk and CPU vary from minute to minute (the same sync has
# taken 8.7 s and 15 s of CPU in runs a minute apart), so a change measured
# against figures taken earlier says little; runs that alternate A, B, A, B
# see the same weather.
#
#   scripts/bench-sync-ab.sh [-n RUNS] BASE [REV]
#
# BASE and REV are git revisions; without REV the working tree (with its
# uncommitted changes) is B. Each is built once (go test -c of app/sync), then
# the two binaries run RUNS times each (3), alternately, at the full size
# (10,000 inspections, 2,000 photos). DUDAO_SYNC_BENCH_* variables reach both
# (DUDAO_SYNC_BENCH_PHOTOS=0 times the records alone). Prints each run and
# the medians of sync, raw, ratio, push and CPU seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/goflags.sh

runs=3
if [ "${1:-}" = "-n" ]; then
	runs=$2
	shift 2
fi
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: scripts/bench-sync-ab.sh [-n RUNS] BASE [REV]" >&2; exit 2; }

work=$(mktemp -d)
trap 'git worktree remove --force "$work/a" >/dev/null 2>&1 || true; git worktree remove --force "$work/b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# build REV NAME: a test binary of app/sync at REV ("" is the working tree).
build() {
	local rev=$1 name=$2 dir=.
	if [ -n "$rev" ]; then
		dir=$work/$name
		git worktree add --detach --quiet "$dir" "$rev"
	fi
	echo "bench-ab: building $name (${rev:-working tree})" >&2
	(cd "$dir" && go test -c -o "$work/$name.test" ./app/sync/)
}
build "$1" a
build "${2:-}" b

export DUDAO_SYNC_BENCH=${DUDAO_SYNC_BENCH:-full}
field() { grep -oE "[0-9.]+ $1" | head -n1 | cut -d' ' -f1; }
declare -A results
printf '%-3s %-3s %8s %8s %7s %8s %8s\n' run ver sync-s raw-s x-raw push-s cpu-s
for i in $(seq 1 "$runs"); do
	for v in a b; do
		out=$(cd app/sync && "$work/$v.test" -test.run='^$' -test.bench=SyncLoopback -test.benchtime=1x 2>&1) || {
			echo "$out" >&2
			exit 1
		}
		sync_s=$(field sync_s <<<"$out")
		raw_s=$(field raw_s <<<"$out")
		x_raw=$(field x_raw <<<"$out")
		push=$(grep -oE 'push [0-9.]+(ms|s)' <<<"$out" | head -n1 | awk '{v=$2; if (v ~ /ms$/) {sub(/ms/,"",v); v/=1000} else sub(/s/,"",v); print v}')
		cpu=$(grep -oE '[0-9.]+(ms|s) of CPU' <<<"$out" | head -n1 | awk '{v=$1; if (v ~ /ms$/) {sub(/ms/,"",v); v/=1000} else sub(/s/,"",v); print v}')
		printf '%-3s %-3s %8s %8s %7s %8s %8s\n' "$i" "$v" "$sync_s" "$raw_s" "$x_raw" "${push:--}" "${cpu:--}"
		results[$v]+="$sync_s $raw_s $x_raw ${push:-0} ${cpu:-0}"$'\n'
	done
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
echo "medians (a = ${1}, b = ${2:-working tree}):"
for v in a b; do
	printf '    %-3s' "$v"
	for col in 1 2 3 4 5; do
		printf ' %8s' "$(printf '%s' "${results[$v]}" | awk -v c=$col 'NF {print $c}' | median)"
	done
	echo
done
