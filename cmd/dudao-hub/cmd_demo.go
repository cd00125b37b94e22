package main

import (
	"flag"

	"github.com/dudao-app/dudao/app/demo"
)

func init() {
	var seed int64
	var days int
	register(&command{
		noun: "demo", args: "[--seed N] [--days N]", needsDB: true, createsDB: true,
		short: "fill an empty database with realistic demo data ending today (yesterday before 18:00 CST)",
		examples: `  dudao-hub demo --db /tmp/demo.db
  dudao-hub inspection list --db /tmp/demo.db --limit 10

The same seed gives the same content apart from the dates.`,
		flags: func(fs *flag.FlagSet) {
			fs.Int64Var(&seed, "seed", 1, "random `SEED`")
			fs.IntVar(&days, "days", 92, "`DAYS` of inspections, ending today")
		},
		run: func(e *env, args []string) error {
			if err := wantArgs("demo", args); err != nil {
				return err
			}
			if days < 1 || days > 3660 {
				return usagef("demo: --days %d: want 1 to 3660", days)
			}
			sum, err := demo.Generate(e.ctx, e.db, demo.Options{Seed: seed, Days: days})
			if err != nil {
				return err
			}
			e.printf("%s", sum)
			return nil
		},
	})
}
