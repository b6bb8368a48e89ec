package backup

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressReportsAboutOnceASecond: a long run prints a line with how
// far it got; a short one, and every record between two lines, nothing.
func TestProgressReportsAboutOnceASecond(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "export")
	for n := int64(1); n <= 10000; n++ {
		p.tick(n, "revision")
	}
	if out.Len() != 0 {
		t.Fatalf("a run shorter than a second printed %q", out.String())
	}
	p.next = time.Now().Add(-time.Millisecond) // a second has passed
	for n := int64(10001); n <= 20000; n++ {
		p.tick(n, "revision")
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "export: 10240 records so far (now at revision records)") {
		t.Fatalf("progress printed %q", out.String())
	}
	// Without a writer (the library used quietly) nothing happens.
	quiet := newProgress(nil, "import")
	quiet.next = time.Time{}
	quiet.tick(256, "user")
}
