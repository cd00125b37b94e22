package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

// Version is set at link time (-ldflags "-X main.Version=…"); otherwise it
// comes from the build info.
var Version = ""

const usage = `dudao-hub: the Dudao hub and its headless tools

usage: dudao-hub NOUN VERB [flags] [arguments]

Commands:
{{commands}}
Every command takes --db PATH; without it the database is
{{defaultdb}}

Run "dudao-hub NOUN VERB --help" for a command's flags and examples.
`

// command is one noun-verb pair. Flags may stand before or after the
// positional arguments.
type command struct {
	noun, verb string
	args       string // synopsis of flags and arguments
	short      string
	examples   string
	// needsDB commands get env.db opened before run.
	needsDB bool
	// createsDB commands may start a database where --db names none: the
	// ones a hub is set up with. Every other command refuses a path that
	// does not exist, so a mistyped --db is reported as such, instead of
	// leaving a new empty database behind and an error about what it lacks
	// ("no region yet") that points at the wrong problem.
	createsDB bool
	// hub commands work on what serve keeps (devices, sync records, the
	// keys beside the database), so a missing database is a hub that was
	// never started, or the wrong --db.
	hub bool
	// argNames names the positional arguments a command requires; they are
	// checked before the database is opened, so a usage mistake is reported
	// as one.
	argNames []string
	flags    func(fs *flag.FlagSet)
	run      func(e *env, args []string) error
}

func (c *command) name() string { return strings.TrimSpace(c.noun + " " + c.verb) }

// usageError is a mistake in how the command was called: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// nounHelp asks for the list of a noun's verbs ("dudao-hub roster --help").
type nounHelp struct{ noun string }

func (nounHelp) Error() string { return "help" }

// hintError carries a line of advice printed after the error.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

func withHint(err error, format string, args ...any) error {
	return hintError{err: err, hint: fmt.Sprintf(format, args...)}
}

// env is what a command runs with.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	dbPath string
	db     *store.DB
	log    *slog.Logger
}

func (e *env) printf(format string, args ...any) { fmt.Fprintf(e.stdout, format, args...) }

func (e *env) table() *table { return newTable(e.stdout) }

var commands []*command

func register(c *command) { commands = append(commands, c) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: context.Background(), stdin: stdin, stdout: stdout, stderr: stderr}
	e.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The packages log through the default logger; a CLI shows only what
	// needs attention.
	slog.SetDefault(e.log)
	err := dispatch(e, args)
	if e.db != nil {
		if cerr := e.db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close database: %w", cerr)
		}
	}
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "dudao-hub: error: %v\n", err)
	var h hintError
	if errors.As(err, &h) {
		fmt.Fprintf(stderr, "dudao-hub: hint: %s\n", h.hint)
	}
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stderr)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printUsage(e.stdout)
		return nil
	case "-version", "--version", "version":
		e.printf("dudao-hub %s\n", version())
		return nil
	}
	c, rest, err := lookup(args)
	var nh nounHelp
	if errors.As(err, &nh) {
		printNounUsage(e.stdout, nh.noun)
		return nil
	}
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("dudao-hub "+c.name(), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.dbPath, "db", "", "database `PATH` (default: in the user's data directory)")
	if c.flags != nil {
		c.flags(fs)
	}
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		printCommandUsage(e.stdout, c, fs)
		return err
	}
	if err != nil {
		return usagef("%s: %v (see: dudao-hub %s --help)", c.name(), err, c.name())
	}
	if len(c.argNames) > 0 {
		if err := wantArgs(c.name(), pos, c.argNames...); err != nil {
			return err
		}
	}
	if c.needsDB {
		if err := e.openDB(c); err != nil {
			return err
		}
	}
	return c.run(e, pos)
}

func lookup(args []string) (*command, []string, error) {
	noun := args[0]
	var verbs []string
	for _, c := range commands {
		if c.noun != noun {
			continue
		}
		if c.verb == "" {
			return c, args[1:], nil
		}
		verbs = append(verbs, c.verb)
		if len(args) > 1 && c.verb == args[1] {
			return c, args[2:], nil
		}
	}
	if len(verbs) == 0 {
		return nil, nil, withHint(usagef("unknown command %q", noun), `run "dudao-hub help" for the list of commands`)
	}
	if len(args) == 1 {
		return nil, nil, usagef("%s needs one of: %s", noun, strings.Join(verbs, ", "))
	}
	if oneOf(args[1], "-h", "-help", "--help", "help") {
		return nil, nil, nounHelp{noun}
	}
	return nil, nil, usagef("unknown command %q %q; %s takes: %s", noun, args[1], noun, strings.Join(verbs, ", "))
}

// parseInterleaved parses flags wherever they stand among the positional
// arguments; the standard flag package stops at the first positional one.
// Everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printUsage(w io.Writer) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name(), c.short)
	}
	tw.Flush()
	s := strings.Replace(usage, "{{commands}}", b.String(), 1)
	s = strings.Replace(s, "{{defaultdb}}", defaultDBPath(), 1)
	fmt.Fprint(w, s)
}

func printNounUsage(w io.Writer, noun string) {
	fmt.Fprintf(w, "usage: dudao-hub %s VERB [flags] [arguments]\n\nCommands:\n", noun)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		if c.noun == noun {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name(), c.short)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun \"dudao-hub %s VERB --help\" for a command's flags and examples.\n", noun)
}

func printCommandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: dudao-hub %s %s\n\n%s\n\nFlags:\n", c.name(), c.args, c.short)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	if c.examples != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(c.examples, "\n"))
	}
}

func (e *env) openDB(c *command) error {
	path := e.dbPath
	if path == "" {
		path = defaultDBPath()
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		switch {
		case c.hub:
			return withHint(fmt.Errorf("no hub database at %s", path), "start the hub with dudao-hub serve --db %s first, or check --db", path)
		case !c.createsDB:
			return withHint(fmt.Errorf("no database at %s", path), "check --db, or create one with a command such as: dudao-hub region add NAME --db %s", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	db, err := store.Open(path)
	if err != nil {
		return err
	}
	e.db = db
	return e.ensureStandard()
}

// ensureStandard imports the built-in standard, version 1, into a database
// that has none, so a new hub can take inspections without a source checkout.
func (e *env) ensureStandard() error {
	vs, err := e.db.Standards(e.ctx)
	if err != nil || len(vs) > 0 {
		return err
	}
	if _, err := e.db.ImportStandard(e.ctx, standard.V1(), data.StandardV1); err != nil {
		return fmt.Errorf("import the built-in standard: %w", err)
	}
	return nil
}

// defaultDBPath is the hub database in the user's data directory:
// $XDG_DATA_HOME/dudao (~/.local/share/dudao) on Linux and the platform's
// application-data directory elsewhere.
func defaultDBPath() string {
	var dir string
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd":
		dir = os.Getenv("XDG_DATA_HOME")
		if dir == "" {
			if home, err := os.UserHomeDir(); err == nil {
				dir = filepath.Join(home, ".local", "share")
			}
		}
	default:
		dir, _ = os.UserConfigDir()
	}
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, "dudao", "hub.db")
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// wantArgs checks the number of positional arguments.
func wantArgs(c string, args []string, names ...string) error {
	if len(args) == len(names) {
		return nil
	}
	if len(args) < len(names) {
		return usagef("%s: missing %s (see: dudao-hub %s --help)", c, strings.Join(names[len(args):], " "), c)
	}
	return usagef("%s: unexpected argument %q", c, args[len(names)])
}

func oneOf(v string, allowed ...string) bool { return slices.Contains(allowed, v) }
