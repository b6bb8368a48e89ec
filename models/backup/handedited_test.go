package backup_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// handEdited are files someone changed by hand and signed again: the end
// record's checksum is not keyed, so anyone who can write the file can
// recompute it. Each holds what the API refuses, and must be refused at
// the line that holds it.
func handEdited(t *testing.T, lines []string) []damaged {
	t.Helper()
	var cases []damaged
	add := func(name string, edited []string, line int, want string) {
		cases = append(cases, damaged{name, resign(t, edited), line, want})
	}
	content := func(slug string, number int, fn func(string) string) ([]string, int) {
		return editRevision(t, lines, slug, number, fn)
	}
	record := func(marker string, fn func(string) string) ([]string, int) {
		t.Helper()
		f, n := edit(t, lines, marker, fn)
		return strings.SplitAfter(f, "\n"), n
	}
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("%q is not in %s", old, s)
			}
			return strings.Replace(s, old, new, 1)
		}
	}

	// Revision content is held to the API's rules.
	f, n := content("osel", 1, replace(`"description_html":"`, `"description_html":"<script>alert(1)</script><img src=x onerror=alert(1)>`))
	add("script in a description", f, n, "content.description_html is not in its normalized and sanitized form")
	f, n = content("osel", 1, func(s string) string {
		return regexp.MustCompile(`"learn_more_url":"[^"]*"`).ReplaceAllString(s, `"learn_more_url":"javascript:alert(1)"`)
	})
	add("javascript link", f, n, "content.learn_more_url must be an absolute http or https URL")
	f, n = content("osel", 1, replace(`"slug":"osel"`, `"slug":"Not A Slug"`))
	add("bad slug in content", f, n, "content.slug must be lowercase letters")
	f, n = content("osel", 1, replace(`{"office_id"`, `{"extra":1,"office_id"`))
	add("extra key in content", f, n, "content.extra: is not a field")
	f, n = content("osel", 1, replace(`"summary":`, `"SUMMARY":"x","summary":`))
	add("key of another case in content", f, n, "content.SUMMARY: is not a field")
	f, n = content("osel", 1, replace(`"name":`, `"name":"Impostor","name":`))
	add("duplicate key in content", f, n, "content.name: is given more than once")
	f, n = content("osel", 1, replace(`{"office_id"`, `{ "office_id"`))
	add("content not as Bureau writes it", f, n, "not spelt as Bureau writes them")

	// Record keys match exactly, once.
	f, n = record(`"slug":"occs"`, replace(`"data":{`, `"data":{"ID":"x",`))
	add("key of another case in a record", f, n, "ID: is not a field")
	f, n = record(`"slug":"occs"`, replace(`"slug":"occs"`, `"slug":"occs","slug":"future"`))
	add("duplicate key in a record", f, n, "slug: is given more than once")

	// Content slugs are the rows' slugs: public slugs stay unique.
	f, n = content("osel", 1, replace(`"slug":"osel"`, `"slug":"jrotc"`))
	add("draft content with another's slug", f, n, `content.slug "jrotc" of the draft is not the department's slug "osel"`)
	f, n = content("ecce", 2, replace(`"slug":"ecce"`, `"slug":"jrotc"`))
	add("public revision with another's slug", f, n, `content.slug "jrotc" of the published revision is not the department's published_slug "ecce"`)

	// A department's revisions name an office of the file; the draft its row's.
	f, n = content("ecce", 1, func(s string) string { return replaceField(s, "office_id", missingID) })
	add("revision of a missing office", f, n, `content.office_id "`+missingID+`" is not an office of this file`)
	future := fieldOf(t, lines, `"slug":"future"`, "id")
	f, n = content("ecce", 3, func(s string) string { return replaceField(s, "office_id", future) })
	add("draft of another office than its row", f, n, "of the draft is not the department's office_id")

	// References to users, hashes, emails and times, as the API makes them.
	author := fieldOf(t, lines, `"author_id":"`, "author_id")
	f, n = record(`"author_id":"`+author, replace(`"author_id":"`+author, `"author_id":"`+missingID))
	add("revision by a user not in the file", f, n, `author_id "`+missingID+`" is not a user of this file`)
	f, n = record(`"actor_id":"`+author, replace(`"actor_id":"`+author, `"actor_id":"`+missingID))
	add("audit event by a user not in the file", f, n, `actor_id "`+missingID+`" is not a user of this file`)
	f, n = record(`"email":"viewer@example.org"`, replace(`"email":"viewer@example.org"`, `"email":"vіewer@example.org"`)) // Cyrillic і
	add("look-alike email", f, n, "letters from other alphabets")
	f, n = record(`"type":"user"`, func(l string) string { return replaceField(l, "password_hash", "$argon2id$x") })
	add("hash with the prefix only", f, n, "password_hash is not an argon2id hash")
	f, n = record(`"type":"user"`, func(l string) string {
		return replaceField(l, "password_hash", "$argon2id$v=19$m=99999999,t=1,p=1$FJ7vCsLFlSc2lyqNPqZC+g$SKpPp27OIV5Zw6zRNJV9fcryiQS+DbGj/sPb3y+fYZU")
	})
	add("hash with out-of-bounds cost", f, n, "password_hash is not an argon2id hash")
	f, n = record(`"slug":"osa"`, func(l string) string { return replaceField(l, "deleted_at", "2000-01-01T00:00:00Z") })
	add("trashed before it was made", f, n, "deleted_at is earlier than created_at")
	return cases
}

const missingID = "00000000-0000-4000-8000-000000000000"

// revisionLine is a revision record with its fields in the order Export
// writes them, so re-encoding an unchanged one gives the same line.
type revisionLine struct {
	Type string `json:"type"`
	Data struct {
		EntityType string  `json:"entity_type"`
		EntityID   string  `json:"entity_id"`
		Number     int     `json:"number"`
		Content    string  `json:"content"`
		AuthorID   *string `json:"author_id"`
		Message    string  `json:"message"`
		CreatedAt  string  `json:"created_at"`
	} `json:"data"`
}

// editRevision changes the content text of revision number of the
// document whose content has slug, and returns the lines and its line.
func editRevision(t *testing.T, lines []string, slug string, number int, fn func(content string) string) ([]string, int) {
	t.Helper()
	for i, l := range lines {
		var rec revisionLine
		if !strings.Contains(l, `"type":"revision"`) || json.Unmarshal([]byte(l), &rec) != nil ||
			rec.Data.Number != number || !strings.Contains(rec.Data.Content, `"slug":"`+slug+`"`) {
			continue
		}
		if encodeLine(t, rec) != l {
			t.Fatalf("re-encoding changes the line:\n%s\n%s", l, encodeLine(t, rec))
		}
		rec.Data.Content = fn(rec.Data.Content)
		out := append([]string(nil), lines...)
		out[i] = encodeLine(t, rec)
		return out, i + 1
	}
	t.Fatalf("no revision %d of %s", number, slug)
	return nil, 0
}

func encodeLine(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// fieldOf is the string field name of the first line holding marker.
func fieldOf(t *testing.T, lines []string, marker, name string) string {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(l, marker) {
			continue
		}
		key := `"` + name + `":"`
		start := strings.Index(l, key) + len(key)
		return l[start : start+strings.Index(l[start:], `"`)]
	}
	t.Fatalf("no line holds %s", marker)
	return ""
}
