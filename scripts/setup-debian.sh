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

if ! command -v go >/dev/null; then
	if [ -x /usr/local/go/bin/go ]; then
		export PATH="/usr/local/go/bin:$PATH"
	else
		echo "setup: Go 1.26 or newer is needed: https://go.dev/doc/install" >&2
		exit 1
	fi
fi
