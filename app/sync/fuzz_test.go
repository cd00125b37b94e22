package sync_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	dsync "github.com/dudao-app/dudao/app/sync"
)

var fuzzOps = []dsync.Op{dsync.OpEnrol, dsync.OpPull, dsync.OpPush, dsync.OpPhotoStatus, dsync.OpPhotoChunk, dsync.OpReceipt}

// FuzzHubDecoders feeds arbitrary bodies to every operation of a real hub,
// authenticated, so that decoding and everything after it is reached. The
// hub must answer every input with an envelope, never panic, and never call
// malformed input its own failure (an internal error).
//
//	go test ./app/sync -run '^$' -fuzz FuzzHubDecoders -fuzztime 1m
func FuzzHubDecoders(f *testing.F) {
	h := startHub(f, dsync.HubOptions{Rate: 1e9, Burst: 1e9})
	tb := h.newTablet(f, "fuzz", h.region, clientOpts(f))
	photo := photoBytes(1, 3000)
	ins := tb.seal(f, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photo)
	tok, err := tb.db.Setting(ctx, "sync.token")
	must(f, err)

	seed := func(op dsync.Op, v any) {
		b, err := json.Marshal(v)
		must(f, err)
		f.Add(uint8(indexOp(op)), b, "", int64(0))
	}
	seed(dsync.OpPull, dsync.PullRequest{})
	seed(dsync.OpPull, dsync.PullRequest{Cursor: "eyJlIjoieCIsInMiOjF9", Limit: 3})
	seed(dsync.OpPush, dsync.PushRequest{Records: []dsync.WireRecord{{Inspection: dsync.InspectionToWire(ins)}}})
	seed(dsync.OpPush, dsync.PushRequest{Records: []dsync.WireRecord{{}, {Amendment: &dsync.WireAmendment{ID: "x"}}}})
	seed(dsync.OpPhotoStatus, dsync.PhotoStatusRequest{SHA256: []string{ins.Photos()[0].SHA256, "zz"}})
	seed(dsync.OpReceipt, dsync.ReceiptRequest{Records: []dsync.WireRecordID{{Kind: "inspection", ID: ins.ID}}})
	seed(dsync.OpReceipt, dsync.ReceiptRequest{Full: true})
	seed(dsync.OpEnrol, dsync.EnrolRequest{Code: "ABCD-EFGH-JKMN", Token: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"})
	f.Add(uint8(indexOp(dsync.OpPhotoChunk)), photo[:1000], ins.Photos()[0].SHA256, int64(0))
	f.Add(uint8(indexOp(dsync.OpPhotoChunk)), photo[1000:], ins.Photos()[0].SHA256, int64(1000))
	f.Add(uint8(indexOp(dsync.OpPush)), []byte(`{"records":[{"inspection":{"people":[{"findings":[{"photos":[{}]}]}]}}]}`), "", int64(0))
	f.Add(uint8(indexOp(dsync.OpPush)), []byte(`{"records":null,"clock_offset_ms":-9223372036854775808}`), "", int64(0))
	f.Add(uint8(0), []byte("\x00\xff{"), "", int64(-1))

	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte, sha string, offset int64) {
		op := fuzzOps[int(opIndex)%len(fuzzOps)]
		c := &dsync.Call{Op: op, Version: dsync.Version, Token: tok, Body: body, Remote: "fuzz:1"}
		if op == dsync.OpPhotoChunk {
			sum := sha256.Sum256(body)
			c.SHA256, c.Offset, c.ChunkSHA256 = sha, offset, hex.EncodeToString(sum[:])
		}
		env := h.hub.Serve(ctx, c)
		if env == nil || env.Protocol != dsync.Marker || (env.Error == nil) == (env.Result == nil) {
			t.Fatalf("%s: bad envelope %+v", op, env)
		}
		if env.Error != nil && (env.Error.Code == dsync.CodeInternal || env.Error.Message == "") {
			t.Fatalf("%s: %q answered %+v", op, body, env.Error)
		}
	})
}

func indexOp(op dsync.Op) int {
	for i, o := range fuzzOps {
		if o == op {
			return i
		}
	}
	return 0
}

// FuzzStreamCall: reading calls from a byte stream never panics, and a
// call read back is the call written.
func FuzzStreamCall(f *testing.F) {
	var buf bytes.Buffer
	dsync.WriteCall(&buf, &dsync.Call{Op: dsync.OpPush, Version: 1, Token: "t", Body: []byte(`{"records":[]}`)})
	f.Add(buf.Bytes())
	f.Add([]byte("{\"length\":-1}\n"))
	f.Add([]byte("{\"length\":99999999999}\n"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := dsync.ReadCall(bufio.NewReader(bytes.NewReader(b)), 1<<20)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := dsync.WriteCall(&out, c); err != nil {
			t.Fatal(err)
		}
		c2, err := dsync.ReadCall(bufio.NewReader(&out), 1<<20)
		if err != nil || c2.Op != c.Op || !bytes.Equal(c2.Body, c.Body) || c2.Offset != c.Offset {
			t.Fatalf("round trip: %+v vs %+v, %v", c2, c, err)
		}
	})
}

func FuzzParseInvite(f *testing.F) {
	f.Add("dudao://enrol?hub=https://10.0.0.5:8443&pin=sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=&code=ABCD-EFGH-JKMN")
	f.Add("dudao://enrol?hub=%zz")
	f.Fuzz(func(t *testing.T, s string) {
		inv, err := dsync.ParseInvite(s)
		if err != nil {
			return
		}
		back, err := dsync.ParseInvite(inv.String())
		if err != nil || back.URL != inv.URL || back.Code != inv.Code {
			t.Fatalf("round trip of %q: %+v, %v", s, back, err)
		}
	})
}
