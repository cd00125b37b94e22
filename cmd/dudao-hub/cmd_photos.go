package main

import (
	"fmt"
	"time"
)

func init() {
	register(&command{
		noun: "photos", verb: "check", needsDB: true, hub: true,
		short: "re-hash every photo file and set aside those that do not match their names",
		examples: `  dudao-hub photos check --db /var/lib/dudao/hub.db

Run it after restoring the photo directory from a backup, or when a disk
is suspect; it may run while serve runs. The hub checks each photo when it
arrives and afterwards trusts the file; this reads every one again. A file
that does not hash to its name is moved to .damaged/ in the photo directory
(never deleted), and the hub stops counting it: its records show as
incomplete, and a tablet that still has the photo uploads it again at its
next sync. Exit status 0 when every photo matches, 1 when any was set aside.`,
		run: func(e *env, args []string) error {
			if err := wantArgs("photos check", args); err != nil {
				return err
			}
			last := time.Now()
			res, err := e.db.CheckPhotos(e.ctx, func(done, total int) {
				if time.Since(last) >= 2*time.Second || done == total {
					last = time.Now()
					fmt.Fprintf(e.stderr, "dudao-hub: checked %d of %d photos\n", done, total)
				}
			})
			if err != nil {
				return err
			}
			e.printf("checked %d photos (%.1f MB)\n", res.Checked, float64(res.Bytes)/(1<<20))
			if len(res.Damaged) == 0 && len(res.Unreadable) == 0 {
				e.printf("every photo matches its name\n")
				return nil
			}
			for _, sha := range res.Damaged {
				e.printf("  DAMAGED %s: moved to %s\n", sha, res.DamagedDir)
			}
			for _, u := range res.Unreadable {
				e.printf("  UNREADABLE %s (left in place)\n", u)
			}
			if len(res.Damaged) == 0 {
				return fmt.Errorf("%d photo(s) could not be read; check the disk and the files' permissions, then run this again", len(res.Unreadable))
			}
			return fmt.Errorf("%d photo(s) did not match their names and were set aside; tablets that still have them upload them at their next sync", len(res.Damaged))
		},
	})
}
