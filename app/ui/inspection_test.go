package ui_test

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

// maxTaps is the target for a whole inspection of five people with
// three deviations, from the hall list to the sealed record. Swipes that
// bring a row or button into view count, as do the PIN and the signature.
const maxTaps = 25

// The people and items of the scripted inspection, in 优付通北京路营业厅.
var (
	onDuty     = []string{"杨建华", "李娜", "赵磊", "陈静", "刘洋"}
	deviations = []struct{ person, item string }{
		{"杨建华", "按规定佩戴编号服务证（牌）"},        // A1.2
		{"赵磊", "头发前不遮额、侧不盖耳、后不及领；不留胡须"}, // A5.1, his habit
		{"刘洋", "精神饱满，面带微笑，专注于工作"},       // A7.1
	}
)

// TestWholeInspectionByTaps drives a whole inspection, from sign-in to the
// sealed record, and counts the gestures: on a landscape tablet, where a
// checklist opens beside the people, and on a phone, where it is pushed and
// each person costs a tap on Back.
func TestWholeInspectionByTaps(t *testing.T) {
	for name, size := range map[string]fyne.Size{"tablet": landscape, "phone": phone} {
		t.Run(name, func(t *testing.T) { wholeInspection(t, size) })
	}
}

func wholeInspection(t *testing.T, size fyne.Size) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, size)
	u := &user{t: t, w: w}
	pushed := size.Width < 900

	u.signIn()
	signInTaps := u.taps
	u.tapButton("新建督导")
	u.tap("优付通北京路营业厅")
	for _, name := range onDuty {
		u.tap(name)
	}
	u.mustSee("开始督导（5 人）")
	u.tap("开始督导（5 人）")

	for i, d := range deviations {
		if i > 0 || pushed { // beside the people, the first checklist is open
			u.tap(d.person)
		}
		u.tap(d.item)
		u.mustSee("不符合")
		if d.person == "赵磊" {
			u.mustSee("90天内") // his hair: a repeat offence
		}
		if pushed {
			u.tapButton("返回")
		}
	}
	u.tapButton("检查并封存")
	u.mustSee("总分", "尚未签名")
	u.sign()
	u.tapButton("封存督导记录")
	u.tapButton("封存") // the confirmation
	u.mustSee("已封存")

	t.Logf("gestures: %d in all, %d of them signing in, %d from the hall list to the sealed record (%d of them swipes)",
		u.taps, signInTaps, u.taps-signInTaps-1, u.swipes)
	if n := u.taps - signInTaps - 1; n > maxTaps {
		t.Errorf("from the hall list to the sealed record took %d gestures, want at most %d", n, maxTaps)
	}

	// The record as stored: five people, the three findings, a valid seal.
	ctx := context.Background()
	sup, err := f.wf.SignIn(ctx, demo.SupervisorUsername, demo.SupervisorPIN)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := f.wf.History(ctx, flow.HistoryFilter{State: flow.StateSealed, Limit: 1})
	if err != nil || len(sealed) != 1 {
		t.Fatalf("history: %v, %v", sealed, err)
	}
	ins, err := f.db.Inspection(ctx, sealed[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ins.SupervisorID != sup.ID || !ins.StartedAt.Equal(now) {
		t.Fatalf("the newest sealed inspection is not the one just made: %+v", ins)
	}
	if len(ins.People) != len(onDuty) {
		t.Errorf("%d people observed, want %d", len(ins.People), len(onDuty))
	}
	found := map[string][]string{}
	for _, p := range ins.People {
		for _, fd := range p.Findings {
			if fd.Outcome != inspect.Nonconform {
				t.Errorf("%s: finding %s is %s, want nonconform", p.Name, fd.ItemID, fd.Outcome)
			}
			found[p.Name] = append(found[p.Name], fd.ItemID)
		}
	}
	want := map[string]string{"杨建华": "A1.2", "赵磊": "A5.1", "刘洋": "A7.1"}
	if len(found) != len(want) {
		t.Errorf("findings %v, want one each %v", found, want)
	}
	for name, item := range want {
		if len(found[name]) != 1 || found[name][0] != item {
			t.Errorf("%s's findings = %v, want [%s]", name, found[name], item)
		}
	}
	v, err := f.db.Verify(ctx, ins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.SealOK || !inspect.ValidHash(ins.SealHash) {
		t.Errorf("seal not valid: %+v", v)
	}
	// The hash is on screen in full.
	u.mustSee(ins.SealHash)
}
