// Command dudao is the 督导通 app for supervisors' tablets and managers'
// desktops. It only wires things together; the screens live in app/ui.
//
// The fyne tool reads FyneApp.toml from this directory, so FyneApp.toml here
// links to the repository root's, and assets/icon.png here links to the icon
// so the path in it resolves from either place. Package from this directory
// (`fyne package -os android`); note that fyne rewrites the file, bumping
// Build and dropping comments, so it holds none.
package main

import (
	"context"
	"flag"
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/dudao-app/dudao/app/flow"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// appID must match FyneApp.toml. Preferences and storage are keyed by it, so
// changing it after release would orphan every tablet's data.
const appID = "cn.yunnan.dudao"

func main() {
	withDemo := flag.Bool("demo", os.Getenv("DUDAO_DEMO") == "1",
		"fill an empty database with the demo data (halls, staff, users with known PINs, six months of inspections); also DUDAO_DEMO=1")
	flag.Parse()
	quietCLocale()
	a := app.NewWithID(appID)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go trimMemory(ctx)
	db, err := openLocal(context.Background(), a.Storage().RootURI().Path(), *withDemo)
	if err != nil {
		slog.Error("open the local database", "err", err)
		os.Exit(1)
	}
	defer db.Close()
	wf, err := flow.New(db)
	if err != nil {
		slog.Error("start the workflow", "err", err)
		db.Close()
		os.Exit(1)
	}
	// Sync with a hub: offered in the settings, automatic once enrolled.
	sy := flow.NewSync(wf, dsync.ClientOptions{})
	// Managers reach their desk: over the hub once enrolled, else locally.
	w := ui.Create(a, wf, ui.WithSync(sy), ui.WithAdmin(adminFor(db, sy)))
	w.Resize(fyne.NewSize(1280, 800))
	w.ShowAndRun()
}
