// Package ui is Dudao's Fyne user interface: screens and widgets only. It is
// the one package under app/ that imports Fyne. Every rule of the inspection
// lives in app/flow; a screen shows what flow returns, calls flow when the
// supervisor taps, and shows flow's errors.
//
// Each screen is a struct in its own file, with its widgets, its data and
// named onX handlers, built by buildUI and shown by the navigator (nav.go).
package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/dudao-app/dudao/app/flow"
)

// Create sets a up for Dudao (theme, icon, UI language, text size) and
// returns its main window on the sign-in screen, working on wf (not nil). The
// caller sizes and shows it.
func Create(a fyne.App, wf flow.Workflow, opts ...Option) fyne.Window {
	a.SetIcon(appIcon)
	s := &session{app: a, wf: wf, win: a.NewWindow("")}
	for _, o := range opts {
		o(s)
	}
	s.applyTheme()
	// Closing the main window quits, even if a later report window is open.
	s.win.SetMaster()
	s.nav = newNavigator(s.win)
	s.useLanguage(preferredLanguage(a.Preferences()))
	s.nav.reset(newSignIn(s))
	a.Lifecycle().SetOnExitedForeground(s.flushEdits)
	if s.sync.enabled() {
		s.win.SetOnClosed(s.sync.close)
		s.sync.startTimer()
	}
	return s.win
}

// flushEdits saves what every screen holds unsaved while typing pauses: on
// Android the app leaving the foreground may be followed by the system
// killing it.
func (s *session) flushEdits() {
	for _, p := range s.nav.stack {
		if f, ok := p.scr.(withFlush); ok {
			f.flush()
		}
	}
}

// session is what every screen shares: the app, its one window, the
// workflow, the signed-in user and the UI language.
type session struct {
	app  fyne.App
	win  fyne.Window
	wf   flow.Workflow
	nav  *navigator
	lang language
	user flow.User

	// photos holds the bytes of photos attached in this run, by the SHA-256
	// flow stored them under, so their thumbnails show without reading them
	// back (see photoBytes).
	photos map[string][]byte

	// sync is nil when the app has no hub to sync with (WithSync).
	sync *syncCtl
	// adminFor is nil when the manager's screens are not wired (WithAdmin).
	adminFor AdminFor

	// signedIn ends when the user signs out (see userContext).
	signedIn    context.Context
	endSignedIn context.CancelFunc
}

// ctx is the context of a flow call made for a tap. The calls are short
// local transactions; the store's busy timeout bounds a locked database.
func (s *session) ctx() context.Context { return context.Background() }

// userContext is the context of work done for the user signed in that may
// outlive a tap (the manager's desk and its calls to the hub): it is
// cancelled when they sign out, so that what it brings back is dropped
// rather than shown to whoever signs in next. Use it on the UI thread.
func (s *session) userContext() context.Context {
	if s.signedIn == nil {
		s.signedIn, s.endSignedIn = context.WithCancel(context.Background())
	}
	return s.signedIn
}

// text is a standard's text in the UI language.
func (s *session) text(t interface{ In(string) string }) string {
	return t.In(s.lang.standardCode())
}

func (s *session) useLanguage(l language) {
	s.lang = l
	useLanguage(l)
	s.win.SetTitle(lang.X("app.title", "Dudao"))
}

// setLanguage switches every screen to l and keeps the choice. Strings are
// looked up when widgets are built, so the navigator rebuilds its screens.
func (s *session) setLanguage(l language) {
	if l == s.lang {
		return
	}
	s.app.Preferences().SetString(prefLanguage, string(l))
	s.useLanguage(l)
	s.nav.rebuild()
}

// setLargeText keeps the choice and applies it through the theme, so every
// text in every screen scales at once.
func (s *session) setLargeText(on bool) {
	s.app.Preferences().SetBool(prefLargeText, on)
	s.applyTheme()
}

func (s *session) applyTheme() {
	t := newTheme()
	if s.app.Preferences().Bool(prefLargeText) {
		t.textScale = largeTextScale
	}
	s.app.Settings().SetTheme(t)
}

// signOut forgets the user and returns to the sign-in screen; drafts are
// already saved.
func (s *session) signOut() {
	s.user = flow.User{}
	if s.endSignedIn != nil {
		s.endSignedIn()
		s.signedIn, s.endSignedIn = nil, nil
	}
	s.nav.reset(newSignIn(s))
}

// rememberPhoto keeps a just-attached photo's bytes for its thumbnail.
func (s *session) rememberPhoto(sha string, data []byte) {
	if s.photos == nil {
		s.photos = map[string][]byte{}
	}
	s.photos[sha] = data
}

// photoBytes returns a stored photo for a thumbnail, or nil when it cannot
// be shown (the screen then draws a placeholder).
func (s *session) photoBytes(sha string) []byte {
	if b, ok := s.photos[sha]; ok {
		return b
	}
	b, err := s.wf.Photo(s.ctx(), sha)
	if err != nil {
		fyne.LogError("read photo "+sha, err)
		return nil
	}
	b = thumbnailBytes(b)
	s.rememberPhoto(sha, b)
	return b
}
