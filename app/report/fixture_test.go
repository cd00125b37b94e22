package report_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
)

// t0 is 09:30 in the hall (UTC+8).
var t0 = time.Date(2026, 11, 2, 1, 30, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// longNote is a 600-character note of the kind a supervisor dictates: Chinese
// with English words, digits and full-width punctuation, long enough to wrap
// over many lines and across a page break.
var longNote = func() string {
	parts := []string{
		"10:42顾客到2号柜台办理电费缴纳，收银员未起身迎接，也未使用“您好，请问办理什么业务？”等文明用语。",
		"Customer asked twice about the POS receipt; staff replied “wait” without eye contact. ",
		"督导员提醒后，员工解释称系统卡顿（system lag约3分钟），但排队人数已达7人，等候区无人引导，叫号屏显示A0153号。",
		"建议：加强training on greeting phrases，并在早会上复盘本次情况；值班长应在高峰时段（11:00–12:30）增派1名引导员。",
		"另：工牌佩戴位置偏低、胸卡编号B-12被外套遮挡，顾客无法辨认；ID badge must be visible at all times per clause A1. ",
		"本次为该员工第3次类似问题，已口头提醒并记录在案，后续将在30天内复查2次。",
	}
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < 600; i++ {
		b.WriteString(parts[i%len(parts)])
	}
	rs := []rune(b.String())
	return string(rs[:600])
}()

var photoCache sync.Map // seed -> []byte: drawing a photo pixel by pixel is slow

// photo makes a deterministic JPEG of 1280×960, four times what the tablet's
// camera screen saves, so that scaling is exercised and timed.
func photo(seed int) []byte {
	if b, ok := photoCache.Load(seed); ok {
		return b.([]byte)
	}
	b := drawPhoto(seed)
	photoCache.Store(seed, b)
	return b
}

func drawPhoto(seed int) []byte {
	const w, h = 1280, 960
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x*255/w + seed*40), uint8(y*255/h + seed*20), uint8(128 + seed*30 + (x/40+y/40)%2*40), 255})
		}
	}
	// A dark figure and a red box, as the supervisor marks what is wrong.
	for y := 300; y < 800; y++ {
		for x := 500 + seed*50; x < 700+seed*50; x++ {
			img.Set(x, y, color.RGBA{30, 40, 70, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// signature makes a transparent PNG with a scribble, as the signature pad saves.
func signature(seed int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 360, 120))
	for x := 20; x < 340; x++ {
		y := 60 + int(30*sinApprox(float64(x+seed*17)/25))
		for dy := -2; dy <= 2; dy++ {
			img.Set(x, y+dy, color.NRGBA{10, 10, 40, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// sinApprox avoids importing math for one wiggle.
func sinApprox(x float64) float64 {
	for x > 3.14159 {
		x -= 2 * 3.14159
	}
	return x - x*x*x/6 + x*x*x*x*x/120
}

type fixture struct {
	r      report.InspectionReport
	photos map[string][]byte
	names  []string // the staff names that a redacted copy must not show
}

func ref(b []byte, at time.Time, typ string) inspect.PhotoRef {
	return inspect.PhotoRef{SHA256: inspect.HashOf(b), Size: int64(len(b)), Type: typ, At: at}
}

// newFixture builds a sealed inspection: 5 people, 10 findings (tallies, an
// N/A, a critical failure, a hall finding), 4 photos, signatures with a
// disagreement and a refusal, and one amendment.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	fx := &fixture{photos: map[string][]byte{}}
	add := func(b []byte, at time.Time, typ string) inspect.PhotoRef {
		fx.photos[inspect.HashOf(b)] = b
		return ref(b, at, typ)
	}
	p1, p2, p3, p4 := add(photo(1), at(8), "image/jpeg"), add(photo(2), at(21), "image/jpeg"),
		add(photo(3), at(22), "image/jpeg"), add(photo(4), at(40), "image/jpeg")
	sigSup, sigWang, sigLi := add(signature(1), at(95), "image/png"), add(signature(2), at(96), "image/png"),
		add(signature(3), at(97), "image/png")

	f := func(id, item string, o inspect.Outcome, min int, note string, photos ...inspect.PhotoRef) inspect.Finding {
		return inspect.Finding{ID: id, ItemID: item, Outcome: o, Note: note, Photos: photos, At: at(min)}
	}
	tally := func(id, item string, observed, failed, min int, note string) inspect.Finding {
		x := f(id, item, inspect.Tallied, min, note)
		x.Observed, x.Failed = observed, failed
		return x
	}
	ins := &inspect.Inspection{
		ID: "0193f2a0-7c1e-7d42-9a4b-1f2e3d4c5b6a", HallID: "hall-kmwh", SupervisorID: "u-sup-01",
		DeviceID: "dev-tab-03", StandardVersion: 1, StartedAt: t0, EndedAt: at(94), Status: inspect.StatusSealed,
		People: []inspect.Person{
			{ID: "p-1", StaffID: "s-1", EmployeeNo: "E1024", Name: "王强", Badge: "B-07",
				Role: standard.RoleCashier, Gender: standard.GenderMale, Findings: []inspect.Finding{
					f("f-01", "A3.1", inspect.Nonconform, 8, "穿拖鞋上岗，wearing slippers behind the counter.", p1),
					tally("f-02", "G1.1", 5, 2, 12, "5位顾客中2位未主动问候。"),
					f("f-03", "C9.2", inspect.Nonconform, 30, "与顾客就电费金额（¥356.20）发生争执，声音明显提高。Raised voice at the customer.", p4),
				}},
			{ID: "p-2", StaffID: "s-2", EmployeeNo: "E1031", Name: "李娜", Badge: "B-12",
				Role: standard.RolePromoter, Gender: standard.GenderFemale, Findings: []inspect.Finding{
					f("f-04", "A1.2", inspect.Nonconform, 20, longNote, p2, p3),
					tally("f-05", "G1.2", 6, 0, 25, ""),
				}},
			{ID: "p-3", StaffID: "s-3", EmployeeNo: "E0998", Name: "赵敏", Badge: "B-03",
				Role: standard.RoleShiftLeader, Gender: standard.GenderFemale, Findings: []inspect.Finding{
					f("f-06", "G3.1", inspect.NotApplicable, 33, "未遇到需要引导的顾客。"),
					f("f-07", "C6.1", inspect.Nonconform, 35, "交接班记录未签字。"),
				}},
			{ID: "p-4", OffRoster: true, EmployeeNo: "", Name: "陈杰", Badge: "B-21",
				Role: standard.RolePromoter, Gender: standard.GenderMale, Findings: []inspect.Finding{
					f("f-08", "A1.1", inspect.Nonconform, 41, "工作服有明显污渍。"),
				}},
			{ID: "p-5", StaffID: "s-5", EmployeeNo: "E1102", Name: "刘洋", Badge: "B-09",
				Role: standard.RoleCashier, Gender: standard.GenderMale, Findings: []inspect.Finding{
					tally("f-09", "C3.1", 4, 1, 50, "1次未唱收唱付。"),
				}},
		},
		HallFindings: []inspect.Finding{
			f("f-10", "C1.2", inspect.Nonconform, 2, "9:30开门时叫号机未开启，顾客在门口等候约5分钟。"),
		},
		Signatures: []inspect.Signature{
			{Role: inspect.SignerStaff, PersonID: "p-1", Name: "王强", Image: &sigWang,
				Disagreement: "我没有与顾客争执，是顾客先大声说话，我只是解释电费金额（¥356.20）的计算方式。请调取监控核实。", At: at(96)},
			{Role: inspect.SignerSupervisor, PersonID: "u-sup-01", Name: "周督导", Image: &sigSup, At: at(95)},
			{Role: inspect.SignerStaff, PersonID: "p-2", Name: "李娜", Image: &sigLi, At: at(97)},
			{Role: inspect.SignerStaff, PersonID: "p-3", Name: "赵敏", At: at(98)},
		},
		SealedAt: at(99),
	}
	seal, err := inspect.ComputeSeal(ins)
	if err != nil {
		t.Fatalf("seal fixture: %v", err)
	}
	ins.SealHash = seal

	fixed := tally("f-11", "C3.1", 4, 2, 50, "复核监控：2次未唱收唱付（赵敏当班）。")
	a := inspect.Amendment{
		ID: "0193f3b0-0000-7000-8000-000000000001", InspectionID: ins.ID, OriginalHash: ins.SealHash,
		Reason: "值班长赵敏的交接班记录系督导员看错日期；刘洋唱收唱付经复核监控为2次未做到。", AuthorID: "u-mgr-02",
		DeviceID: "dev-desk-01", At: t0.Add(26 * time.Hour),
		Changes: []inspect.Change{
			{PersonID: "p-3", ItemID: "C6.1"},
			{PersonID: "p-5", ItemID: "C3.1", Finding: &fixed},
		},
	}
	if a.SealHash, err = inspect.ComputeAmendmentSeal(&a); err != nil {
		t.Fatalf("seal amendment: %v", err)
	}

	fx.r = report.InspectionReport{
		Inspection: ins, Amendments: []inspect.Amendment{a}, Standard: standard.V1(),
		HallName: "昆明五华优付通营业厅", HallCode: "KM-WH-01", SupervisorName: "周督导", DeviceName: "督导平板 03",
		AuthorNames: map[string]string{"u-mgr-02": "孙经理"},
		Repeats:     map[string]map[string]int{"p-1": {"A3.1": 2}, "p-4": {"A1.1": 3}},
		Photo: func(sha string) ([]byte, error) {
			b, ok := fx.photos[sha]
			if !ok {
				return nil, fmt.Errorf("photo %s: not found", sha)
			}
			return b, nil
		},
	}
	fx.names = []string{"王强", "李娜", "赵敏", "陈杰", "刘洋"}
	return fx
}
