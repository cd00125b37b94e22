package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/report"
)

// exportPanel is a PDF export: a "redacted" check, the button, and an
// activity line while the report renders. What to export is run's business
// (a flow.Exporter call); the panel renders it off the UI thread and offers
// the file to save.
type exportPanel struct {
	s      *session
	run    func(ctx context.Context, opt report.Options) ([]byte, string, error)
	redact *widget.Check
	button *widget.Button
	busy   *busyLine
	box    *fyne.Container
}

func newExportPanel(s *session, label string, run func(context.Context, report.Options) ([]byte, string, error)) *exportPanel {
	p := &exportPanel{s: s, run: run}
	p.redact = widget.NewCheck(lang.X("export.redact", "Redacted copy"), nil)
	hint := caption(lang.X("export.redact.hint", "For wider distribution: no photos, badge numbers instead of names."))
	p.button = widget.NewButtonWithIcon(label, theme.DocumentPrintIcon(), p.onExport)
	p.busy = newBusyLine(lang.X("export.busy", "Preparing the PDF…"))
	p.box = container.NewVBox(tall(p.redact), hint, tall(p.button), p.busy.box)
	return p
}

func (p *exportPanel) onExport() {
	if p.button.Disabled() {
		return // a second tap while one renders
	}
	opt := report.Options{Lang: p.s.lang.standardCode(), Redact: p.redact.Checked}
	ctx := p.s.ctx()
	p.button.Disable()
	p.busy.start()
	done := func() {
		p.busy.stop()
		p.button.Enable()
	}
	inBackground(func() func() {
		data, name, err := p.run(ctx, opt)
		return func() {
			done()
			if err != nil {
				showError(p.s.win, err)
				return
			}
			saveFile(p.s.win, name, data, func(where string, err error) {
				if err != nil {
					showError(p.s.win, err)
					return
				}
				msg := wrapped(lang.X("export.saved", "The report was saved as {{.Name}}.", map[string]any{"Name": where}))
				d := dialog.NewCustom(lang.X("export.saved.title", "PDF saved"), lang.X("dialog.ok", "OK"), msg, p.s.win)
				d.Resize(dialogSize(p.s.win))
				d.Show()
			})
		}
	}, func(err error) {
		done()
		showError(p.s.win, err)
	})
}

// saveFile offers data for saving under a suggested name and calls done
// with where it went, or the error; not at all when the user cancels. On a
// tablet the dialog reaches the device's documents and any app that takes
// files (a drive, a messenger), which is how a report is shared. Tests
// replace it (export_test.go).
var saveFile = func(w fyne.Window, name string, data []byte, done func(where string, err error)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			done("", err)
			return
		}
		if wc == nil {
			return // cancelled
		}
		done(wc.URI().Name(), writeURI(wc, data))
	}, w)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	d.Resize(w.Canvas().Size())
	d.Show()
}

// writeURI writes data to what the save dialog opened. A local file is
// written atomically (a temporary file beside it, synced, renamed over it), so
// a full disk or a crash never leaves half a PDF under the chosen name; other
// locations (Android's document providers) only take a stream.
func writeURI(wc fyne.URIWriteCloser, data []byte) error {
	if wc.URI().Scheme() == "file" {
		// The dialog opened (and truncated) the file; the rename replaces it.
		_ = wc.Close()
		return writeFileAtomic(wc.URI().Path(), data)
	}
	_, err := wc.Write(data)
	return errors.Join(err, wc.Close())
}

func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
