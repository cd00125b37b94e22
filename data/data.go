// Package data holds the files the app ships with, embedded in the binary so
// that a fresh install works offline before it ever reaches a hub.
//
// It only exposes bytes; parsing lives with the packages that own the formats
// (app/standard for the standard), so this package stays free of Fyne and of
// every other dependency.
package data

import "embed"

// StandardV1 is version 1 of the service standard (standard-v1.yaml).
//
//go:embed standard-v1.yaml
var StandardV1 []byte

// FS holds every data file. The patterns are globs so that new files of the
// same type are picked up without editing this line; a new file type needs its
// own pattern here (a pattern that matches nothing fails the build).
//
//go:embed *.yaml
var FS embed.FS
