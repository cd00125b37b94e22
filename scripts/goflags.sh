# Sourced by the scripts that build the app, so what is run, tested, measured
# and packaged is built the same way (the Makefile sets the same GOFLAGS).
#
# no_emoji leaves out Fyne's bundled colour emoji font: 4 MB in the binary and
# about 4.7 MB of parsed tables for each text style in use (two on the sign-in
# screen), about 13 MB of a tablet's resident memory in all, for characters a
# hall inspection never needs. An emoji that does turn up in a note is drawn
# with the system's emoji font where there is one (Android has one).
#
# go keeps the last -tags it is given, so a -tags of your own in GOFLAGS, or
# one on the command line (fyne package adds its own: pass it -tags no_emoji),
# replaces this one: include no_emoji in it.
export GOFLAGS="-tags=no_emoji${GOFLAGS:+ $GOFLAGS}"
