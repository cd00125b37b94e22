package main

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

func TestShouldTrim(t *testing.T) {
	const mb = 1 << 20
	cases := []struct {
		name                      string
		live, held, floor, recent uint64
		want                      bool
	}{
		{"quiet after start-up, heap mostly garbage", 20 * mb, 40 * mb, 0, 1 * mb, true},
		{"still busy: the GC paces itself", 20 * mb, 40 * mb, 0, 8 * mb, false},
		{"within the slack of the live heap", 20 * mb, 23 * mb, 0, 0, false},
		{"just after a trim, fragmentation left", 20 * mb, 26 * mb, 26 * mb, 0, false},
		{"grown again since the trim, now quiet", 20 * mb, 31 * mb, 26 * mb, 2 * mb, true},
		{"live heap grew past the floor, little garbage", 40 * mb, 43 * mb, 26 * mb, 0, false},
	}
	for _, c := range cases {
		if got := shouldTrim(c.live, c.held, c.floor, c.recent); got != c.want {
			t.Errorf("%s: shouldTrim(%d MB live, %d MB held, floor %d MB, %d MB allocated since) = %v, want %v",
				c.name, c.live/mb, c.held/mb, c.floor/mb, c.recent/mb, got, c.want)
		}
	}
}

// TestTrimSamplesExist guards the metric names against a Go release that
// renames them: metrics.Read reports an unknown name as KindBad, and the
// trimmer would then compare zeros and never trim.
func TestTrimSamplesExist(t *testing.T) {
	garbage := make([][]byte, 0, 64)
	for range 64 {
		garbage = append(garbage, make([]byte, 64<<10))
	}
	runtime.KeepAlive(garbage)
	metrics.Read(trimSamples)
	for _, s := range trimSamples {
		if s.Value.Kind() != metrics.KindUint64 {
			t.Errorf("metric %s: kind %v, want uint64", s.Name, s.Value.Kind())
		}
	}
	if held := trimSamples[1].Value.Uint64(); held < 4<<20 {
		t.Errorf("heap objects %d bytes after allocating 4 MB", held)
	}
}
