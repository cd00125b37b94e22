// Package demo fills an empty store with a realistic, deterministic demo: the
// Kunming region, three 优付通 halls, their staff, demo logins, and three months
// of sealed inspections ending today (yesterday before the halls close at 18:00), with one draft left in progress.
//
// It writes only through the store's public API, the same calls the app makes,
// so the demo exercises the real validation, sealing and photo storage, and a
// demo database is indistinguishable from one made by hand.
//
// Determinism: every choice comes from Options.Seed, and dates are laid out
// backwards from Options.End, so the same seed and End date give identical
// records: the same photos and signatures byte for byte, and the same seals.
// The same seed on another day tells the same story on other dates.
//
// IDs are deterministic too, because a seal covers them (inspection, person,
// finding, hall, staff, supervisor and device IDs). They are UUIDv7-shaped,
// built from the record's planned time and a seeded generator (see idSource),
// and handed to the store, which keeps an ID it is given. The region's ID is
// the one exception: AddRegion takes none, and no seal covers it.
package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

// Defaults of Options.
const (
	DefaultSeed = 1
	DefaultDays = 92 // three months
)

// CST is the halls' local time. A fixed zone rather than Asia/Shanghai from
// tzdata, which a stripped-down tablet image may lack; China has no DST.
var CST = inspect.HallZone

// ErrNotEmpty is returned when the store already has halls: the demo would
// otherwise mix with real data, or duplicate itself when run twice.
var ErrNotEmpty = errors.New("store is not empty")

// Options tune Generate. The zero value is a valid choice of every field.
type Options struct {
	// Seed picks the content; 0 means DefaultSeed.
	Seed int64
	// End is the day of the last inspection (its date in CST counts, not its
	// time of day); zero means today by Now once the halls' working day is
	// over (from 18:00 CST), yesterday before that, so that no record is
	// dated later than the moment it was made.
	End time.Time
	// Days is how many days the inspections span, End included; 0 means
	// DefaultDays.
	Days int
	// Now is the clock for the default End; nil means time.Now.
	Now func() time.Time
}

// workdayOver is the hour (CST) after which every visit a demo day plans
// has ended.
const workdayOver = 18

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.End.IsZero() {
		o.End = o.Now()
		if o.End.In(CST).Hour() < workdayOver {
			o.End = o.End.AddDate(0, 0, -1)
		}
	}
	e := o.End.In(CST)
	o.End = time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, CST)
	return o
}

// Summary says what Generate made, for the CLI to print and the README to quote.
type Summary struct {
	Region        string
	Halls         int
	HallNames     []string // "code name", in code order
	Staff         int      // including the one who left
	Inactive      int
	Users         []Login
	Device        string
	From, To      time.Time // days of the first and last inspection, CST
	Inspections   int       // sealed
	Drafts        int
	People        int // observations of staff, over all inspections
	Findings      int
	Photos        int // photo files stored, signatures included
	Signatures    int
	Disagreements int
	Amendments    int
	Elapsed       time.Duration
}

// String is the summary as the CLI prints it.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "region:       %s\n", s.Region)
	fmt.Fprintf(&b, "halls:        %d (%s)\n", s.Halls, strings.Join(s.HallNames, ", "))
	fmt.Fprintf(&b, "staff:        %d (%d inactive)\n", s.Staff, s.Inactive)
	fmt.Fprintf(&b, "device:       %s\n", s.Device)
	fmt.Fprintf(&b, "inspections:  %d sealed, %d draft, %s to %s\n", s.Inspections, s.Drafts,
		s.From.Format(time.DateOnly), s.To.Format(time.DateOnly))
	fmt.Fprintf(&b, "observed:     %d people, %d findings, %d signatures (%d disagreements), %d amendments\n",
		s.People, s.Findings, s.Signatures, s.Disagreements, s.Amendments)
	fmt.Fprintf(&b, "photos:       %d\n", s.Photos)
	b.WriteString("logins:\n")
	for _, u := range s.Users {
		fmt.Fprintf(&b, "  %-12s PIN %s  %s (%s)\n", u.Username, u.PIN, u.Name, u.Role)
	}
	fmt.Fprintf(&b, "generated in %s\n", s.Elapsed.Round(time.Millisecond))
	return b.String()
}

// Generate fills an empty store with the demo. It refuses a store that already
// has halls, so running it twice never duplicates anything. It is not atomic:
// on error the store holds part of the demo and should be thrown away.
func Generate(ctx context.Context, db *store.DB, opt Options) (*Summary, error) {
	started := time.Now()
	opt = opt.withDefaults()
	if opt.Days < 1 {
		return nil, fmt.Errorf("demo: days must be at least 1, got %d", opt.Days)
	}
	existing, err := db.Halls(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: check the store is empty: %w", err)
	}
	if len(existing) > 0 {
		return nil, fmt.Errorf("demo: %w: it has %d halls; generate the demo into a new database", ErrNotEmpty, len(existing))
	}

	g := &gen{
		ctx:  ctx,
		db:   db,
		opt:  opt,
		r:    rand.New(rand.NewPCG(uint64(opt.Seed), 0x64656d6f636f6e74)), // "democont"
		ids:  newIDSource(opt.Seed),
		v:    standard.V1(),
		sum:  &Summary{Region: RegionName, Users: slices.Clone(Logins), Device: DeviceName},
		seen: map[string]bool{},
		busy: map[int]time.Time{},
	}
	if err := g.run(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	g.sum.Elapsed = time.Since(started)
	return g.sum, nil
}

// gen carries the state of one generation.
type gen struct {
	ctx context.Context
	db  *store.DB
	opt Options
	r   *rand.Rand
	ids *idSource
	v   *standard.Version
	sum *Summary

	regionID string
	hallIDs  []string
	staff    []staffRec
	users    []string // user IDs, in the order of Logins
	// usersDone reports the users being added in the background.
	usersDone chan error
	deviceID  string
	seen      map[string]bool // photo hashes taken, to count files not references
	pending   []pendingPhoto  // photos taken and not yet stored

	busy map[int]time.Time // supervisor (index into Logins) -> end of their last visit
}

// staffRec is a cast member as stored.
type staffRec struct {
	member
	id, badge string
	from      time.Time
	to        *time.Time
}

func (s *staffRec) activeOn(day time.Time) bool {
	return !day.Before(s.from) && (s.to == nil || day.Before(*s.to))
}

// sealedRec remembers what an amendment needs of a sealed inspection.
type sealedRec struct {
	ins  *inspect.Inspection
	hash string
}

func (g *gen) run() (err error) {
	defer func() {
		if g.usersDone != nil {
			err = errors.Join(err, <-g.usersDone)
		}
	}()
	if err := g.masterData(); err != nil {
		return err
	}
	visits := g.plan()
	for _, v := range visits {
		if err := g.inspection(v); err != nil {
			return err
		}
	}
	if err := g.amendments(visits); err != nil {
		return err
	}
	return g.draft(visits)
}

// day returns the CST midnight of day i of the period (0 is the first day).
func (g *gen) day(i int) time.Time {
	e := g.opt.End
	return time.Date(e.Year(), e.Month(), e.Day()-(g.opt.Days-1-i), 0, 0, 0, 0, CST)
}

// clock returns day at hh:mm plus a few random seconds, so times look typed
// rather than planned.
func (g *gen) clock(day time.Time, hh, mm int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), hh, mm, g.r.IntN(60), 0, CST)
}

func (g *gen) masterData() error {
	ctx, db := g.ctx, g.db
	if _, err := db.ImportStandard(ctx, g.v, data.StandardV1); err != nil {
		return fmt.Errorf("import standard version %d: %w", g.v.Version, err)
	}
	// Master data predates the inspections; its IDs take the eve of the
	// period as their timestamp, so that they too depend only on seed and End.
	t0 := g.day(0).Add(-24 * time.Hour)

	// A store without halls may still have the region (a hub that was set up
	// but not filled); reuse it rather than fail on its unique name.
	regions, err := db.Regions(ctx)
	if err != nil {
		return fmt.Errorf("list regions: %w", err)
	}
	if i := slices.IndexFunc(regions, func(r store.Region) bool { return r.Name == RegionName }); i >= 0 {
		g.regionID = regions[i].ID
	} else {
		region, err := db.AddRegion(ctx, RegionName)
		if err != nil {
			return fmt.Errorf("add region %s: %w", RegionName, err)
		}
		g.regionID = region.ID
	}

	// Halls, staff and the device go in one transaction: one commit instead
	// of thirty, and no half-made roster if one of them fails.
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, h := range halls {
			hall, err := tx.AddHall(ctx, store.Hall{ID: g.ids.at(t0), RegionID: g.regionID, Code: h.Code, Name: h.Name})
			if err != nil {
				return fmt.Errorf("add hall %s: %w", h.Code, err)
			}
			g.hallIDs = append(g.hallIDs, hall.ID)
			g.sum.HallNames = append(g.sum.HallNames, h.Code+" "+h.Name)
		}
		lastMonth := time.Date(g.opt.End.Year(), g.opt.End.Month()-1, 18, 0, 0, 0, 0, CST)
		for i, m := range cast {
			rec := staffRec{member: m, badge: fmt.Sprintf("0871-%03d", i+1)} // 0871: Kunming's area code
			// Hired one to eight years before the period, except the newcomer,
			// who joined during it and so appears only in later inspections.
			rec.from = g.day(0).AddDate(-1-g.r.IntN(8), -g.r.IntN(12), -g.r.IntN(28))
			if m.Joined {
				rec.from = g.day(g.opt.Days * 5 / 9)
			}
			if m.Left {
				to := lastMonth
				rec.to = &to
				g.sum.Inactive++
			}
			s, err := tx.UpsertStaff(ctx, store.Staff{
				ID: g.ids.at(t0), EmployeeNo: m.EmployeeNo, Name: m.Name, Gender: m.Gender, Role: m.Role,
				Badge: rec.badge, HallID: g.hallIDs[m.Hall], ActiveFrom: rec.from, ActiveTo: rec.to,
			})
			if err != nil {
				return fmt.Errorf("add staff %s %s: %w", m.EmployeeNo, m.Name, err)
			}
			rec.id = s.ID
			g.staff = append(g.staff, rec)
		}
		dev, err := tx.AddDevice(ctx, store.Device{ID: g.ids.at(t0), Name: DeviceName, RegionID: g.regionID})
		if err != nil {
			return fmt.Errorf("add device: %w", err)
		}
		g.deviceID = dev.ID
		return nil
	})
	if err != nil {
		return err
	}
	g.sum.Halls = len(g.hallIDs)
	g.sum.Staff = len(g.staff)

	// A PIN hash is deliberately slow (PBKDF2, about a second each here),
	// and nothing else waits for the users: inspections name their
	// supervisor by ID, which the demo chooses itself. So the users are added
	// beside the rest and run waits for them at the end.
	users := make([]store.User, len(Logins))
	for i, l := range Logins {
		users[i] = store.User{ID: g.ids.at(t0), Name: l.Name, Username: l.Username, Role: l.Role, RegionID: g.regionID}
		g.users = append(g.users, users[i].ID)
	}
	g.usersDone = make(chan error, 1)
	go func() {
		for i, u := range users {
			if _, err := db.AddUser(ctx, u, Logins[i].PIN); err != nil {
				g.usersDone <- fmt.Errorf("add user %s: %w", u.Username, err)
				return
			}
		}
		g.usersDone <- nil
	}()

	return nil
}

// photo takes a photo: it returns the reference the finding or signature
// will carry and queues the bytes for storing (see flushPhotos). The moment
// it was taken is part of the seal, so it comes from the plan, not the clock.
func (g *gen) photo(b []byte, mime string, at time.Time) inspect.PhotoRef {
	sum := sha256.Sum256(b)
	ref := inspect.PhotoRef{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Type: mime, At: utc(at)}
	g.pending = append(g.pending, pendingPhoto{ref: ref, data: b})
	if !g.seen[ref.SHA256] {
		g.seen[ref.SHA256] = true
		g.sum.Photos++
	}
	return ref
}

type pendingPhoto struct {
	ref  inspect.PhotoRef
	data []byte
}

// flushPhotos stores the queued photos, several at once. Each PutPhoto waits
// for two or three fsyncs, most of them on its own file, so doing an
// inspection's handful side by side roughly halves the demo's run time. They
// must be in the store before the inspection is sealed, which checks them.
func (g *gen) flushPhotos() error {
	errs := make([]error, len(g.pending))
	var wg sync.WaitGroup
	for i, p := range g.pending {
		wg.Go(func() {
			ref, err := g.db.PutPhoto(g.ctx, bytes.NewReader(p.data), p.ref.Type)
			switch {
			case err != nil:
				errs[i] = err
			case ref.SHA256 != p.ref.SHA256 || ref.Size != p.ref.Size:
				errs[i] = fmt.Errorf("store photo %s: stored as %s, %d bytes", p.ref.SHA256, ref.SHA256, ref.Size)
			}
		})
	}
	wg.Wait()
	g.pending = g.pending[:0]
	return errors.Join(errs...)
}
