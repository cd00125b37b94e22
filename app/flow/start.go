package flow

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// Per-user settings. Keys carry the user's ID, not the user name, so a
// renamed account keeps its memory.
func lastHallKey(userID string) string { return "user." + userID + ".last_hall" }

func presentKey(userID, hallID string) string {
	return "user." + userID + ".hall." + hallID + ".present"
}

// hallPrefix is the brand every hall's name starts with; searching and
// sorting look past it, since it tells no hall from another.
const hallPrefix = "优付通"

// Users lists the accounts that can sign in on this device, by user name.
// Disabled accounts are left out of the picker; signing in as one still says
// it is disabled.
func (f *Flow) Users(ctx context.Context) ([]User, error) {
	us, err := f.db.Users(ctx)
	if err != nil {
		return nil, storeErr("list users", err)
	}
	out := make([]User, 0, len(us))
	for _, u := range us {
		if u.Disabled {
			continue
		}
		out = append(out, userOf(u))
	}
	return out, nil
}

func userOf(u store.User) User {
	return User{ID: u.ID, Username: u.Username, Name: u.Name, Manager: u.Role == store.RoleManager}
}

// SignIn checks a PIN offline. A wrong PIN and an unknown user give the same
// ErrWrongPIN; ErrDisabled comes only with the right PIN, so it reveals
// nothing to someone guessing.
func (f *Flow) SignIn(ctx context.Context, username, pin string) (User, error) {
	u, err := f.db.Authenticate(ctx, username, pin)
	switch {
	case errors.Is(err, store.ErrAuth):
		f.log.Info("sign-in refused")
		return User{}, fmt.Errorf("sign in: %w", ErrWrongPIN)
	case errors.Is(err, store.ErrDisabled):
		f.log.Info("sign-in refused: account disabled")
		return User{}, fmt.Errorf("sign in: %w", ErrDisabled)
	case err != nil:
		return User{}, storeErr("sign in", err)
	}
	f.log.Info("signed in", "user", u.ID)
	return userOf(u), nil
}

// Halls lists the halls, those this user inspected most recently first and
// the rest by name. query keeps the halls whose code or name contains every
// word of it, ignoring case.
//
// The last visit is one indexed query per hall (newest of the hall's
// inspections by this supervisor), so the list costs the number of halls, not
// the number of inspections.
func (f *Flow) Halls(ctx context.Context, user User, query string) ([]Hall, error) {
	hs, err := f.db.Halls(ctx)
	if err != nil {
		return nil, storeErr("list halls", err)
	}
	terms := strings.Fields(strings.ToLower(query))
	var out []Hall
	for _, h := range hs {
		if !hallMatches(h, terms) {
			continue
		}
		hall := Hall{ID: h.ID, Code: h.Code, Name: h.Name}
		if user.ID != "" {
			last, err := f.db.ListInspections(ctx, store.InspectionFilter{HallID: h.ID, SupervisorID: user.ID, Limit: 1})
			if err != nil {
				return nil, storeErr("list halls", err)
			}
			if len(last) > 0 {
				hall.LastVisit = last[0].StartedAt
			}
		}
		out = append(out, hall)
	}
	slices.SortStableFunc(out, func(a, b Hall) int {
		return cmp.Or(
			b.LastVisit.Compare(a.LastVisit), // newest first; never visited (zero) last
			cmp.Compare(shortName(a.Name), shortName(b.Name)),
			cmp.Compare(a.Code, b.Code),
		)
	})
	return out, nil
}

func shortName(name string) string {
	if s := strings.TrimSpace(strings.TrimPrefix(name, hallPrefix)); s != "" {
		return s
	}
	return name
}

// hallMatches reports whether every term occurs in the hall's code or name.
// A term may also span the brand and the rest ("优付通北京"), or leave the
// brand out; both are the name itself or its short form.
func hallMatches(h store.Hall, terms []string) bool {
	code, name := strings.ToLower(h.Code), strings.ToLower(h.Name)
	short := strings.ToLower(shortName(h.Name))
	for _, t := range terms {
		if !strings.Contains(code, t) && !strings.Contains(name, t) && !strings.Contains(short, t) {
			return false
		}
	}
	return true
}

// LastHall is the hall this device last started an inspection in for the
// user, "" if none.
func (f *Flow) LastHall(ctx context.Context, user User) (string, error) {
	id, err := f.db.Setting(ctx, lastHallKey(user.ID))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", storeErr("read the last hall", err)
	}
	return id, nil
}

// OnDuty lists the hall's active staff by role (in the standard's order of
// roles) and then name, with those the user ticked when last starting an
// inspection there marked Present. On a first visit nobody is ticked: the
// supervisor sees who is actually there.
func (f *Flow) OnDuty(ctx context.Context, user User, hallID string) ([]DutyStaff, error) {
	staff, err := f.db.Staff(ctx, store.StaffFilter{HallID: hallID})
	if err != nil {
		return nil, storeErr("list staff on duty", err)
	}
	present, err := f.present(ctx, user.ID, hallID)
	if err != nil {
		return nil, err
	}
	out := make([]DutyStaff, 0, len(staff))
	for _, s := range staff {
		out = append(out, DutyStaff{
			ID: s.ID, EmployeeNo: s.EmployeeNo, Name: s.Name, Badge: s.Badge,
			Role: s.Role, Gender: s.Gender, Present: present[s.ID],
		})
	}
	slices.SortStableFunc(out, func(a, b DutyStaff) int {
		return cmp.Or(cmp.Compare(roleRank(a.Role), roleRank(b.Role)),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.EmployeeNo, b.EmployeeNo))
	})
	return out, nil
}

// roleRank orders roles as the standard lists them; an unknown role last.
func roleRank(r standard.Role) int {
	if i := slices.Index(standard.Roles, r); i >= 0 {
		return i
	}
	return len(standard.Roles)
}

func (f *Flow) present(ctx context.Context, userID, hallID string) (map[string]bool, error) {
	raw, err := f.db.Setting(ctx, presentKey(userID, hallID))
	if errors.Is(err, store.ErrNotFound) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, storeErr("read who was on duty", err)
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		// A damaged memory of the last visit is not worth stopping for.
		f.log.Warn("ignoring unreadable on-duty setting", "key", presentKey(userID, hallID), "err", err)
		return map[string]bool{}, nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m, nil
}

// hallName returns a hall's name; halls are few, so a scan is fine.
func (f *Flow) hallName(ctx context.Context, hallID string) (string, error) {
	hs, err := f.db.Halls(ctx)
	if err != nil {
		return "", err
	}
	for _, h := range hs {
		if h.ID == hallID {
			return h.Name, nil
		}
	}
	return "", fmt.Errorf("hall %s: %w", hallID, ErrNotFound)
}

// since is the start of the repeat-offence window.
func (f *Flow) since() time.Time { return f.clock().Add(-RepeatWindow) }
