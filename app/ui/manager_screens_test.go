package ui_test

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
)

// shootManager renders the manager's desk, over a hub, as a manager would
// go through it: a hall's staff, a person's history, a roster's dry run,
// the standard's versions (and a refused file's problems), the devices
// with a new tablet's QR code, and what needs attention. Files are named
// manager-<screen>-<w>x<h>.png.
func shootManager(t *testing.T, dir string, size fyne.Size) {
	f := newFixture(t)
	sealWithOffRoster(t, f, "优付通滇池路营业厅", "临时工小李")
	hub, w := newHubDesk(t, f, size)
	seedHubAttention(t, hub, demoRegion(t, f))
	u := &user{t: t, w: w}
	shot := managerShot(t, w, dir, size)

	u.signInManager()
	u.openDesk("")
	u.tap("YFT-KM-002")
	shot("halls")
	u.tap("张燕")
	u.mustSee("得分趋势")
	shot("person")

	data, _ := rosterCSV(t, f, "优付通滇池路营业厅")
	pickFile(t, "花名册-2025-05.csv", data)
	u.tap("导入花名册")
	u.tapButton("选择花名册文件（CSV 或 Excel）")
	u.mustSee("被拒绝的行：2")
	shot("roster")

	u.tap("督导标准")
	u.mustSee("形象规范")
	shot("standards")
	pickFile(t, "standard-v2.yaml", []byte("version: 2\ntitle: {zh: 第二版}\nsections:\n  - id: x\n    items: [}\n"))
	u.tapButton("导入标准文件")
	u.mustSee("未导入")
	shot("standards-problems")

	u.tap("设备")
	u.setEntry("新设备的名称", "滇池路平板2")
	u.tapButton("登记")
	u.mustSee("请在 滇池路平板2 上扫描此二维码")
	shot("devices")

	u.tap("待处理")
	u.mustSee("同步冲突：1", "临时工小李")
	u.tap("临时工小李")
	shot("attention")
}

// managerShot returns a function that writes the window as
// manager-<screen>-<size>.png in dir, once it has settled and its targets
// are checked.
func managerShot(t *testing.T, w fyne.Window, dir string, size fyne.Size) func(screen string) {
	return func(screen string) {
		t.Helper()
		settle(w)
		checkTargets(t, screen, w)
		img := w.Canvas().Capture()
		if b := img.Bounds(); b.Dx() != int(size.Width) || b.Dy() != int(size.Height) {
			t.Errorf("%s: capture is %dx%d, want %v", screen, b.Dx(), b.Dy(), size)
		}
		out, err := os.Create(filepath.Join(dir, fmt.Sprintf("manager-%s-%vx%v.png", screen, size.Width, size.Height)))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if err := png.Encode(out, img); err != nil {
			t.Fatal(err)
		}
	}
}
