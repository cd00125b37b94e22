package demo

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// idSource mints UUIDv7-shaped IDs deterministically.
//
// A real UUIDv7 is a 48-bit millisecond timestamp followed by random bits. The
// demo keeps that shape, so its IDs sort by time and look like the ones the app
// makes, but takes the timestamp from the record's own (planned) time and the
// random bits from a generator seeded with Options.Seed. The same seed and End
// date therefore give the same IDs on every run, which is what lets two demo
// databases be compared seal by seal. The stream is separate from the one that
// chooses the content, so that the content does not depend on how many IDs
// were drawn.
type idSource struct{ r *rand.Rand }

func newIDSource(seed int64) *idSource {
	return &idSource{r: rand.New(rand.NewPCG(uint64(seed), 0x69647364656d6f31))} // "idsdemo1"
}

// at returns a version 7, RFC 9562 variant UUID for a record made at t.
func (s *idSource) at(t time.Time) string {
	var u uuid.UUID
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(u[0:6], ms[2:8])
	binary.BigEndian.PutUint16(u[6:8], uint16(s.r.Uint32()))
	binary.BigEndian.PutUint64(u[8:16], s.r.Uint64())
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // variant 10
	return u.String()
}
