package catalog_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func unbrotli(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkCompressed: doc has both compressed copies, they decode to its body
// and are smaller, each with its own tag derived from the identity one.
func checkCompressed(t *testing.T, what string, doc catalog.Doc) {
	t.Helper()
	if got := doc.Codings(); !slicesEqual(got, []string{"br", "gzip"}) {
		t.Fatalf("%s: codings %v, want [br gzip]", what, got)
	}
	for coding, decode := range map[string]func(*testing.T, []byte) []byte{"br": unbrotli, "gzip": gunzip} {
		enc := doc.Encoding(coding)
		if enc == nil {
			t.Fatalf("%s: no %s copy", what, coding)
		}
		if !bytes.Equal(decode(t, enc.Body), doc.Body) {
			t.Errorf("%s: the %s copy does not decode to the body", what, coding)
		}
		if len(enc.Body) >= len(doc.Body) {
			t.Errorf("%s: %s copy of %d bytes for a body of %d", what, coding, len(enc.Body), len(doc.Body))
		}
		if want := strings.TrimSuffix(doc.ETag, `"`) + "-" + coding + `"`; enc.ETag != want || enc.ETagH[0] != want {
			t.Errorf("%s: %s ETag %s, want %s", what, coding, enc.ETag, want)
		}
		if !doc.MatchesETag(enc.ETag) || !doc.MatchesETag(doc.ETag) {
			t.Errorf("%s: %s tag does not match its own doc", what, coding)
		}
	}
	if doc.Size() < len(doc.Body)+len(doc.Encoding("br").Body)+len(doc.Encoding("gzip").Body) {
		t.Errorf("%s: Size %d does not count the compressed copies", what, doc.Size())
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestDocumentsAreCompressedWhenLoaded(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db) // a small directory: compressed before LoadAll returns
		occs, _ := cat.Office("occs")
		checkCompressed(t, "office occs", occs)
		osa, _ := cat.Department("osa")
		checkCompressed(t, "department osa", osa)
		// A page built on demand: each copy made once, at the first request
		// for it, and kept with the cached page.
		page := cat.ListDepartments(catalog.ListQuery{Limit: 20})
		checkCompressed(t, "department page", page)
		again := cat.ListDepartments(catalog.ListQuery{Limit: 20})
		if again.Encoding("br") != page.Encoding("br") || again.Encoding("gzip") != page.Encoding("gzip") {
			t.Errorf("the cached page's compressed copies were made again")
		}
		// Below the threshold an answer stays as it is.
		small := cat.ListOffices(catalog.ListQuery{Limit: 20})
		if len(small.Body) >= 1024 || small.Codings() != nil || small.Encoding("gzip") != nil {
			t.Errorf("a %d-byte list was compressed: %v", len(small.Body), small.Codings())
		}
		if small.MatchesETag(strings.TrimSuffix(small.ETag, `"`) + `-gzip"`) {
			t.Errorf("an uncompressed answer matches a -gzip tag")
		}
		// Another document's tags never match.
		if occs.MatchesETag(osa.ETag) || occs.MatchesETag(strings.TrimSuffix(osa.ETag, `"`)+`-br"`) ||
			occs.MatchesETag(strings.TrimSuffix(occs.ETag, `"`)+`-zstd"`) || occs.MatchesETag(`"`) {
			t.Errorf("occs matches a tag that is not one of its representations")
		}
	})
}

func TestLargeDirectoryIsCompressedInTheBackground(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		cat := catalog.New(db, nil)
		catalog.SetInlineCompress(cat, 0) // as if the directory were large
		if err := cat.LoadAll(ctx); err != nil {
			t.Fatal(err)
		}
		// Served at once, compressed or not yet; compressed once the pass ends.
		if doc, ok := cat.Office("occs"); !ok || len(doc.Body) == 0 {
			t.Fatal("occs is not served while compressing")
		}
		catalog.WaitCompressed(cat)
		occs, _ := cat.Office("occs")
		checkCompressed(t, "office occs after the background pass", occs)
		for _, slug := range demoOrder {
			d, _ := cat.Department(slug)
			checkCompressed(t, "department "+slug, d)
		}
	})
}

func TestRefreshedDocumentsAreCompressedBeforeTheyAreServed(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		cat := seeded(t, db)
		before, _ := cat.Department("osa")
		id := editDepartment(t, db, "osa", func(c *models.DepartmentContent) { c.Summary = "Sports, compressed." })
		publish(t, db, models.KindDepartment, id)
		refresh(t, cat, models.KindDepartment, id)
		after, _ := cat.Department("osa")
		if after.ETag == before.ETag || after.MatchesETag(before.Encoding("br").ETag) {
			t.Fatalf("the republished department kept its tags")
		}
		checkCompressed(t, "republished osa", after)
		if !strings.Contains(string(gunzip(t, after.Encoding("gzip").Body)), "Sports, compressed.") {
			t.Errorf("the gzip copy is the old content")
		}
		occs, _ := cat.Office("occs") // re-rendered: it embeds osa
		checkCompressed(t, "office occs embedding it", occs)
		ecce, _ := cat.Department("ecce") // re-rendered: its office changed
		checkCompressed(t, "sibling ecce", ecce)
	})
}
