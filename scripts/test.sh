#!/usr/bin/env bash
# Runs the whole test suite, installing what it needs first. One `go test`
# over every package: Fyne's cgo build is slow cold, and one build is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh
source scripts/goflags.sh
go vet ./...
go test -count=1 -timeout 40m ./... "$@"
