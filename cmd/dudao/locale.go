package main

import (
	"os"
	"strings"
)

// quietCLocale keeps Fyne from logging an error at every start under the C
// locale with an encoding (LANG=C.UTF-8, Debian's default in containers and
// minimal installs): Fyne reads the user's language from LC_ALL,
// LC_MESSAGES or LANG, and takes "C.UTF-8" for a language named "C". The
// app's language is its own setting, so only the message-catalog variable
// is pointed at plain "C", which means the same thing; LC_CTYPE, which text
// input depends on, is left as it was. LC_ALL overrides everything, so when
// it is set nothing is touched. Fyne's lang package reads the variables once
// more at its own initialisation, before main runs: that one error line
// stays (of four).
func quietCLocale() {
	if os.Getenv("LC_ALL") != "" {
		return
	}
	v := os.Getenv("LC_MESSAGES")
	if v == "" {
		v = os.Getenv("LANG")
	}
	if base, _, found := strings.Cut(v, "."); found && (base == "C" || base == "POSIX") {
		os.Setenv("LC_MESSAGES", "C")
	}
}
