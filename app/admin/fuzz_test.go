package admin_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// FuzzAdminRequest feeds arbitrary bodies to every admin method of a real
// hub, as a manager's desktop, so that decoding and the Service call after
// it are reached (jobs are waited for). The hub must answer every input
// with an envelope, never panic, and never call malformed input its own
// failure (an internal error).
//
//	go test ./app/admin -run '^$' -fuzz FuzzAdminRequest -fuzztime 1m
func FuzzAdminRequest(f *testing.F) {
	h := startAdminHub(f, admin.ServerOptions{})
	db := h.openStore("fuzz-desktop")
	enr, err := dsync.NewDeviceEnrolment(bg, h.db, store.Device{Name: "模糊测试", RegionID: h.li.RegionID, UserID: h.li.ID},
		time.Now().Add(time.Hour))
	ok(f, err)
	_, err = dsync.Enrol(bg, db, dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: enr.Code}, h.clientOptions())
	ok(f, err)
	tok, err := db.Setting(bg, "sync.token")
	ok(f, err)
	// A hub over the same store and Server without a rate limit, so that
	// every input reaches the admin API.
	hub := dsync.NewHub(h.db, h.keys.ReceiptKey, dsync.HubOptions{Logger: h.log, Rate: 1e9, Burst: 1e9, Admin: h.server})

	methods := append(admin.Methods(), admin.MethodJobStatus, admin.MethodJobCancel)
	slices.Sort(methods)
	seed := func(method string, v any) {
		b, err := json.Marshal(v)
		ok(f, err)
		f.Add(uint8(slices.Index(methods, method)), b)
	}
	kmOff := offRosterPerson(f, h.kmIns)
	seed(admin.MethodHalls, map[string]string{"query": "北京"})
	seed(admin.MethodStaff, admin.StaffQuery{HallID: h.kmHalls[0].ID, Text: "王", IncludeInactive: true})
	seed(admin.MethodPerson, map[string]string{"id": h.kmStaff[0].ID})
	seed(admin.MethodPlanRoster, map[string]any{"file": admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}})
	seed(admin.MethodPlanRoster, map[string]any{"file": admin.RosterFile{Name: "r.xlsx", Data: []byte("PK\x03\x04")}})
	seed(admin.MethodApplyRoster, map[string]any{"file": admin.RosterFile{Name: "r.csv", Data: []byte(rosterCSV)}, "digest": "00"})
	seed(admin.MethodStandard, map[string]int{"version": 1})
	seed(admin.MethodImportStandard, map[string]any{"name": "bad.yaml", "data": []byte(standardBad)})
	seed(admin.MethodInspections, admin.InspectionQuery{HallID: h.kmHalls[0].ID, From: fixtureDay, To: fixtureDay.AddDate(0, 0, -3),
		Grade: "pass", Completeness: "complete", Offset: -1, Limit: 1 << 30})
	seed(admin.MethodInspection, map[string]string{"id": h.kmIns.ID})
	seed(admin.MethodPhoto, map[string]string{"sha256": h.kmPhoto})
	seed(admin.MethodPhoto, map[string]string{"sha256": "../../etc/passwd"})
	seed(admin.MethodVerify, map[string]string{"id": h.dlIns.ID})
	seed(admin.MethodExportInspection, map[string]any{"id": h.kmIns.ID, "options": map[string]any{"lang": "xx", "redact": true}})
	seed(admin.MethodSummary, admin.SummaryQuery{HallID: h.kmHalls[1].ID, From: fixtureDay, To: fixtureDay.AddDate(-1, 0, 0)})
	seed(admin.MethodExportSummary, map[string]any{"query": admin.SummaryQuery{From: fixtureDay.AddDate(0, -1, 0), To: fixtureDay}})
	seed(admin.MethodEnrolDevice, map[string]string{"name": "   "})
	seed(admin.MethodRevokeDevice, map[string]string{"device_id": h.dlTablet.DeviceID(), "reason": "x"})
	seed(admin.MethodLinkOffRoster, map[string]string{"inspection_id": h.kmIns.ID, "person_id": kmOff.ID, "staff_id": "nobody"})
	seed(admin.MethodJobStatus, map[string]string{"job": "0123"})
	f.Add(uint8(0), []byte(`{"query":`))
	f.Add(uint8(1), []byte(`[1,2,3]`))
	f.Add(uint8(2), []byte("\x00\xff{"))
	f.Add(uint8(3), []byte(`{} {}`))

	f.Fuzz(func(t *testing.T, index uint8, body []byte) {
		method := methods[int(index)%len(methods)]
		serve := func(method string, body []byte) *dsync.Envelope {
			env := hub.Serve(bg, &dsync.Call{Op: dsync.OpAdmin, Version: dsync.Version, Token: tok, Method: method,
				User: "li", Body: body, Remote: "fuzz:1"})
			if env == nil || env.Protocol != dsync.Marker || (env.Error == nil) == (env.Result == nil) {
				t.Fatalf("%s: bad envelope %+v", method, env)
			}
			if env.Error != nil && (env.Error.Code == dsync.CodeInternal || env.Error.Message == "") {
				t.Fatalf("%s: %q answered %+v", method, body, env.Error)
			}
			return env
		}
		env := serve(method, body)
		if env.Error != nil || !slices.Contains([]string{admin.MethodPlanRoster, admin.MethodApplyRoster, admin.MethodExportSummary}, method) {
			return
		}
		var started admin.JobStarted
		if err := json.Unmarshal(env.Result, &started); err != nil || started.Job == "" {
			t.Fatalf("%s: job not started: %s", method, env.Result)
		}
		req, _ := json.Marshal(map[string]string{"job": started.Job})
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			var st admin.JobStatus
			env := serve(admin.MethodJobStatus, req)
			if env.Error != nil {
				t.Fatalf("%s: job status %+v", method, env.Error)
			}
			if err := json.Unmarshal(env.Result, &st); err != nil {
				t.Fatal(err)
			}
			if !st.Finished {
				continue
			}
			if st.Error != nil && (st.Error.Code == dsync.CodeInternal || st.Error.Message == "") {
				t.Fatalf("%s: %q: the job failed %+v", method, body, st.Error)
			}
			// Left uncollected: a finished job does not hold a place of the
			// hub's bound on jobs, so the next input's job still starts.
			return
		}
		t.Fatalf("%s: the job did not finish", method)
	})
}
