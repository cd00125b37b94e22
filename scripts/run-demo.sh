#!/usr/bin/env bash
# Runs the Dudao app on its embedded demo data, installing what it needs first.
# The demo database lives in the app's own storage; it is created on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh
source scripts/goflags.sh
exec go run ./cmd/dudao --demo "$@"
