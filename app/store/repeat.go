package store

import (
	"context"
	"fmt"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// RepeatOffences counts the sealed inspections since a time in which a member
// of staff did not conform to an item: a nonconformity, or a tally with at
// least one failure. Amendments are applied, so a finding an amendment
// cleared no longer counts against the person.
func (db *DB) RepeatOffences(ctx context.Context, staffID, itemID string, since time.Time) (int, error) {
	counts, err := db.repeatCounts(ctx, staffID, itemID, since)
	if err != nil {
		return 0, fmt.Errorf("count repeat offences of staff %s on item %s: %w", staffID, itemID, err)
	}
	return counts[itemID], nil
}

// RepeatCounts is RepeatOffences for every item at once, by item ID. Items
// without an offence are absent.
func (db *DB) RepeatCounts(ctx context.Context, staffID string, since time.Time) (map[string]int, error) {
	counts, err := db.repeatCounts(ctx, staffID, "", since)
	if err != nil {
		return nil, fmt.Errorf("count repeat offences of staff %s: %w", staffID, err)
	}
	return counts, nil
}

type effectiveFinding struct {
	outcome inspect.Outcome
	failed  int
}

func (e effectiveFinding) offence() bool {
	return e.outcome == inspect.Nonconform || e.outcome == inspect.Tallied && e.failed > 0
}

// repeatCounts builds each observation's effective findings (sealed findings,
// then amendments in order) and counts offences per item; itemID "" means all
// items. The staff member's observations are found through the
// observed_people_staff index and their findings through findings_person_item.
func (db *DB) repeatCounts(ctx context.Context, staffID, itemID string, since time.Time) (map[string]int, error) {
	type key struct{ person, item string }
	state := map[key]effectiveFinding{}
	err := db.readTx(ctx, func(q querier) error {
		const observations = `FROM observed_people p JOIN inspections i ON i.id = p.inspection_id
			WHERE p.staff_id = ?1 AND i.status = 'sealed' AND i.started_at >= ?2`
		rows, err := q.QueryContext(ctx, `SELECT p.id, f.item_id, f.outcome, f.failed
			FROM findings f JOIN (SELECT p.id `+observations+`) p ON f.person_id = p.id
			WHERE ?3 = '' OR f.item_id = ?3`, staffID, toMS(since), itemID)
		if err != nil {
			return translate(err)
		}
		if err := eachRow(rows, func() error {
			var k key
			var e effectiveFinding
			if err := rows.Scan(&k.person, &k.item, &e.outcome, &e.failed); err != nil {
				return err
			}
			state[k] = e
			return nil
		}); err != nil {
			return err
		}

		rows, err = q.QueryContext(ctx, `SELECT p.id, a.changes
			FROM amendments a JOIN (SELECT p.id, p.inspection_id `+observations+`) p
			ON a.inspection_id = p.inspection_id ORDER BY a.seq, a.at, a.id`, staffID, toMS(since))
		if err != nil {
			return translate(err)
		}
		return eachRow(rows, func() error {
			var person string
			var raw []byte
			if err := rows.Scan(&person, &raw); err != nil {
				return err
			}
			changes, err := decodeChanges(raw)
			if err != nil {
				return err
			}
			for _, c := range changes {
				if c.PersonID != person || itemID != "" && c.ItemID != itemID {
					continue
				}
				k := key{person, c.ItemID}
				if c.Finding == nil {
					delete(state, k)
				} else {
					state[k] = effectiveFinding{outcome: c.Finding.Outcome, failed: c.Finding.Failed}
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for k, e := range state {
		if e.offence() {
			counts[k.item]++
		}
	}
	return counts, nil
}
