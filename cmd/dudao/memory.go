package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The Go runtime keeps the memory of freed objects for reuse and hands it
// back to the system slowly. Fyne's start-up parses every font face once per
// text style, and a screen change builds and drops thousands of objects, so
// after either the process holds several megabytes more than it uses until
// the next GC cycle, which on an idle tablet may never come. A tablet shares
// its memory with the camera and the browser, so an idle app should hold no
// more than it needs: trimMemory looks every trimEvery and, once the app has
// gone quiet (it allocated less than trimSlack since the last look) with the
// heap holding much more than the live data of the last GC, collects and
// returns the rest (debug.FreeOSMemory: a forced GC of a few milliseconds).
// While the app is busy (a sync, a long list scrolling) it leaves the GC to
// its own pacing: pages returned then would be faulted straight back in.
const (
	trimEvery = time.Second
	// trimSlack is how much retained-but-unused heap is left alone: below
	// it a forced GC costs more than the memory is worth.
	trimSlack = 4 << 20
)

var trimSamples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/unused:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/gc/heap/allocs:bytes"},
}

// trimMemory runs until ctx ends.
func trimMemory(ctx context.Context) {
	t := time.NewTicker(trimEvery)
	defer t.Stop()
	var floor uint64     // what the heap held right after the last trim
	var allocated uint64 // bytes allocated in all, at the last look
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(trimSamples)
		live := trimSamples[0].Value.Uint64()
		held := trimSamples[1].Value.Uint64() + trimSamples[2].Value.Uint64() + trimSamples[3].Value.Uint64()
		total := trimSamples[4].Value.Uint64()
		recent := total - allocated
		allocated = total
		if shouldTrim(live, held, floor, recent) {
			debug.FreeOSMemory()
			metrics.Read(trimSamples)
			floor = trimSamples[1].Value.Uint64() + trimSamples[2].Value.Uint64() + trimSamples[3].Value.Uint64()
		}
	}
}

// shouldTrim reports whether the app is quiet (it allocated recent bytes
// since the last look, under trimSlack) and its heap, holding held bytes of
// the system's memory (objects live or dead, and free spans not yet
// returned), holds enough that is not in use to be worth a forced
// collection: more than trimSlack over both the live bytes of the last GC
// and what it held right after the last trim (floor; the part of spans no
// object fills stays held, and must not make every look a trim).
func shouldTrim(live, held, floor, recent uint64) bool {
	return recent < trimSlack && held > max(live, floor)+trimSlack
}
