// Command dudao-hub is Dudao's hub and its headless tools: master data, roster
// import, standard versions, inspection listing and seal verification, and the
// demo data. It never imports Fyne, so it builds and runs on a bare server.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
