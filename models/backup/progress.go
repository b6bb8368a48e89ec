package backup

import (
	"fmt"
	"io"
	"time"
)

// progress writes a line about once a second while a long export or import
// runs, so whoever waits sees it move. Short runs print nothing.
type progress struct {
	w     io.Writer
	verb  string
	start time.Time
	next  time.Time
}

func newProgress(w io.Writer, verb string) *progress {
	now := time.Now()
	return &progress{w: w, verb: verb, start: now, next: now.Add(time.Second)}
}

// tick reports n records done, the latest of kind.
func (p *progress) tick(n int64, kind string) {
	if p.w == nil || n%256 != 0 {
		return
	}
	now := time.Now()
	if now.Before(p.next) {
		return
	}
	p.next = now.Add(time.Second)
	fmt.Fprintf(p.w, "%s: %d records so far (now at %s records), %s\n", p.verb, n, kind, now.Sub(p.start).Round(time.Second))
}
