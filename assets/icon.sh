#!/bin/sh
# Regenerates icon.png: a calm blue rounded square with 督 and a check-mark badge.
# Needs ImageMagick 6 ("convert"); the glyph comes from the bundled font, so the
# icon looks the same on any machine. -strip, 8 bits per channel and no date chunks keep the output
# byte-stable, so re-running it does not show up as a change in git.
set -eu
cd "$(dirname "$0")"
convert \
	\( -size 512x512 gradient:'#4A8AD4'-'#2A5C9A' \) \
	\( -size 512x512 xc:none -fill white -draw 'roundrectangle 24,24 487,487 104,104' \) \
	-compose DstIn -composite \
	-compose Over -font fonts/DroidSansFallbackFull.ttf -pointsize 250 -fill white \
	-gravity center -annotate -28-22 '督' \
	-fill '#2A5C9A' -draw 'circle 378,378 378,290' \
	-fill white -draw 'circle 378,378 378,300' \
	-fill none -stroke '#2E9D5B' -strokewidth 24 \
	-draw 'stroke-linecap round stroke-linejoin round polyline 338,380 368,410 420,352' \
	-depth 8 -strip -define png:exclude-chunks=date,time \
	PNG32:icon.png
