package ui

import "time"

// SetManagerClock fixes "today" of the manager's screens (the summary's
// periods); it returns the function that restores the clock.
func SetManagerClock(now func() time.Time) (restore func()) {
	old := managerClock
	managerClock = now
	return func() { managerClock = old }
}
