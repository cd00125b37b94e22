package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dudao-app/dudao/app/inspect"
)

// Verify re-checks a stored inspection: it recomputes the seal from the rows
// as they are now, re-hashes every photo file the inspection and its
// amendments reference, and re-seals every amendment. A sealed inspection
// whose rows were changed behind the triggers' back shows SealOK false.
func (db *DB) Verify(ctx context.Context, inspectionID string) (VerifyResult, error) {
	var ins *inspect.Inspection
	var ams []inspect.Amendment
	err := db.readTx(ctx, func(q querier) (err error) {
		if ins, err = loadInspection(ctx, q, inspectionID); err != nil {
			return err
		}
		ams, err = loadAmendments(ctx, q, inspectionID)
		return err
	})
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify inspection %s: %w", inspectionID, err)
	}
	computed, err := inspect.ComputeSeal(ins)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify inspection %s: %w", inspectionID, err)
	}
	res := VerifyResult{
		Status:       ins.Status,
		StoredHash:   ins.SealHash,
		ComputedHash: computed,
		SealOK:       ins.Status == inspect.StatusSealed && ins.SealHash == computed,
	}

	photos := ins.Photos()
	seen := map[string]bool{}
	for _, p := range photos {
		seen[p.SHA256] = true
	}
	for _, a := range ams {
		res.Amendments = append(res.Amendments, checkAmendment(&a, ins.SealHash))
		for _, c := range a.Changes {
			if c.Finding == nil {
				continue
			}
			for _, p := range c.Finding.Photos {
				if !seen[p.SHA256] {
					seen[p.SHA256] = true
					photos = append(photos, p)
				}
			}
		}
	}
	for _, p := range photos {
		if err := ctx.Err(); err != nil {
			return VerifyResult{}, fmt.Errorf("verify inspection %s: %w", inspectionID, err)
		}
		res.Photos = append(res.Photos, db.checkPhoto(p.SHA256))
	}
	return res, nil
}

func (db *DB) checkPhoto(sha string) PhotoCheck {
	got, err := db.hashFile(sha)
	switch {
	case errors.Is(err, ErrNotFound):
		return PhotoCheck{SHA256: sha, Problem: "missing"}
	case err != nil:
		return PhotoCheck{SHA256: sha, Problem: err.Error()}
	case got != sha:
		return PhotoCheck{SHA256: sha, Problem: "hash mismatch: file hashes to " + got}
	}
	return PhotoCheck{SHA256: sha, OK: true}
}

func checkAmendment(a *inspect.Amendment, inspectionSeal string) AmendmentCheck {
	var problems []string
	computed, err := inspect.ComputeAmendmentSeal(a)
	switch {
	case err != nil:
		problems = append(problems, err.Error())
	case computed != a.SealHash:
		problems = append(problems, fmt.Sprintf("seal mismatch: content hashes to %s, stored seal is %s", computed, a.SealHash))
	}
	if a.OriginalHash != inspectionSeal {
		problems = append(problems, fmt.Sprintf("amends seal %s but the inspection's seal is %s", a.OriginalHash, inspectionSeal))
	}
	return AmendmentCheck{ID: a.ID, OK: len(problems) == 0, Problem: strings.Join(problems, "; ")}
}
