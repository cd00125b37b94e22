#!/usr/bin/env bash
# Installs what Dudao needs to build and test on Debian or Ubuntu, if missing:
# a C compiler and pkg-config for cgo (SQLite, Fyne), the OpenGL and X11
# headers Fyne links against, Xvfb for the UI tests and screenshots, and
# poppler-utils for reading PDFs back in tests. Safe to run again.
set -euo pipefail

packages=(gcc make pkg-config libgl1-mesa-dev xorg-dev xvfb xauth poppler-utils)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
		sudo=sudo
	fi
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Go: the machine's own, else Debian's. Go 1.21 and newer fetch the toolchain
# go.mod asks for (1.26) by themselves; older ones cannot.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
	export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null; then
	echo "setup: installing Debian's Go, which fetches the toolchain go.mod names" >&2
	${sudo:-} apt-get install -y -q golang-go ca-certificates || true
fi
if ! command -v go >/dev/null || ! go version | grep -Eq 'go1\.(2[1-9]|[3-9][0-9])'; then
	echo "setup: Go 1.21 or newer is needed to build Dudao (it then fetches Go 1.26 itself): https://go.dev/doc/install" >&2
	exit 1
fi
