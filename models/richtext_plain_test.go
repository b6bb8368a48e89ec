package models

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// plainByRegexp is how RichTextToPlain tidied its text before tidyPlain:
// the reference tidyPlain must match exactly.
func plainByRegexp(text string) string {
	spaceRuns := regexp.MustCompile(`[ \t]+`)
	blankLines := regexp.MustCompile(`\n{3,}`)
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaceRuns.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

func TestTidyPlainMatchesTheRegexps(t *testing.T) {
	cases := []string{"", "\n", "a", " a ", "a  b\t\tc", "\n\n\na\n\n\n\nb\n", "a\n \nb", "a\n\nb", "a\n\t\n \n\nb",
		"\u00a0a\u00a0", "a \u00a0 b", "- x\n- y\n\n\n", "é  ✓\t\tü", "\r\na\r\n\r\nb", "\v\fa"}
	pieces := []string{" ", "\t", "\n", "a", "é", "\u00a0", "\r", "b c", "- "}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(20) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := tidyPlain(c), plainByRegexp(c); got != want {
			t.Fatalf("tidyPlain(%q) = %q, want %q", c, got, want)
		}
	}
}
