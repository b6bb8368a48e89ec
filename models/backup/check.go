package backup

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"bureau/models"
)

// checker gathers what is wrong with one record, so a refusal names every
// bad field of it at once.
type checker struct {
	kind, id string
	problems []string
}

func (c *checker) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return recordError(c.kind, c.id, "%s", strings.Join(c.problems, "; "))
}

// uuid accepts an id in the canonical form Bureau writes.
func (c *checker) uuid(field, s string) {
	if u, err := uuid.Parse(s); err != nil || u.String() != s {
		c.fail("%s %q is not a UUID", field, s)
	}
}

func (c *checker) slug(field, s string) {
	if !models.ValidSlug(s) {
		c.fail("%s %q is not a slug (lowercase letters, digits and single hyphens, at most 64 characters)", field, s)
	}
}

// text checks what every column of text must hold to be stored on both
// engines: no NUL (PostgreSQL refuses it), and at most max characters (the
// column's size; 0 for none). required refuses an empty value.
func (c *checker) text(field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		c.fail("%s is required", field)
	case strings.ContainsRune(s, 0):
		c.fail("%s holds a NUL character", field)
	case max > 0 && utf8.RuneCountInString(s) > max:
		c.fail("%s is longer than %d characters", field, max)
	}
}

func (c *checker) set(field string, t time.Time) {
	if t.IsZero() {
		c.fail("%s is required", field)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
