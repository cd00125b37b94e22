package ui_test

import (
	"context"
	"net/http"
	"testing"

	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// TestSyncRefusalMessages enrols a tablet, then has the sync the
// supervisor asks for meet each way a hub can refuse it for good: an app too
// old for the hub, a hub too old for the app, a hub whose certificate is not
// the pinned one, and a revoked tablet. Each gets its own message in a
// dialog, and the tablet keeps its enrolment and its records.
func TestSyncRefusalMessages(t *testing.T) {
	f := newFixture(t)
	hub, _, w := newSyncApp(t, f, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	u.tapButton("设置")
	u.enrol(hub.Invite("测试平板", demoRegion(t, f)))
	u.mustSee("已连接到中心", "测试平板")
	u.tapButton("返回")
	ui.WaitBackground()

	syncExpecting := func(want string) {
		t.Helper()
		u.tapButton("立即同步")
		ui.WaitBackground()
		u.mustSee(want)
		if w.Canvas().Overlays().Top() == nil {
			t.Fatalf("no dialog for %q", want)
		}
		u.tapButton("确定")
	}
	// speaking makes the app appear to speak another protocol version: the
	// real hub then answers as it would such an app.
	speaking := func(version string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Header.Set(dsync.HeaderVersion, version)
				next.ServeHTTP(w, r)
			})
		}
	}
	restart := func(wrap func(http.Handler) http.Handler) {
		hub.Stop()
		hub.Wrap = wrap
		hub.Start()
	}

	restart(speaking("0"))
	syncExpecting("此版本的督导通太旧")

	restart(speaking("99"))
	syncExpecting("中心运行的版本比本应用旧")

	// The same address answers with another certificate: an impostor, or a
	// hub rebuilt without its keys.
	pinned := hub.Keys
	other, err := dsync.LoadKeys(t.TempDir(), dsync.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hub.Keys = other
	restart(nil)
	syncExpecting("中心的证书与本平板信任的不一致")

	hub.Keys = pinned
	restart(nil)
	if _, err := hub.DB.RevokeDevice(context.Background(), "测试平板", "平板丢失"); err != nil {
		t.Fatal(err)
	}
	syncExpecting("中心已吊销本平板")

	// None of this undid the enrolment: the settings still show the hub.
	u.tapButton("设置")
	u.mustSee("测试平板")
}
