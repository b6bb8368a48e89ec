package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/dbtest"
)

// decodesLikeEncodingJSON checks that decodeContent gives exactly what
// encoding/json gives for content, into both content types.
func decodesLikeEncodingJSON(t *testing.T, name, content string) {
	t.Helper()
	checkSame(t, name, content, func() any { return new(models.OfficeContent) })
	checkSame(t, name, content, func() any { return new(models.DepartmentContent) })
	checkSame(t, name, content, func() any { return new(struct{ Data searchedFields }) })
}

func checkSame(t *testing.T, name, content string, target func() any) {
	t.Helper()
	want, got := target(), target()
	wantErr := json.Unmarshal([]byte(content), want)
	gotErr := decodeContent(content, got)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%s into %T: encoding/json error %v, decodeContent error %v", name, want, wantErr, gotErr)
	}
	// What a failed decoding left behind is never used.
	if wantErr == nil && !reflect.DeepEqual(want, got) {
		t.Errorf("%s into %T:\nencoding/json %+v\ndecodeContent %+v", name, want, want, got)
	}
}

// TestDecodeContentMatchesEncodingJSON decodes the stored content of the
// demo directory, content like bench/seed's, and hand-written JSON with
// every escape form, nulls and empty arrays, both ways.
func TestDecodeContentMatchesEncodingJSON(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		var contents []string
		if err := db.Table("revisions").Order("entity_type, entity_id, number").Pluck("content", &contents).Error; err != nil {
			t.Fatal(err)
		}
		if len(contents) < 8 {
			t.Fatalf("the demo has %d revisions", len(contents))
		}
		for i, c := range contents {
			decodesLikeEncodingJSON(t, fmt.Sprintf("demo revision %d", i), c)
		}
	})
	for i := range 200 {
		b, err := json.Marshal(seedLikeDepartment(i))
		if err != nil {
			t.Fatal(err)
		}
		decodesLikeEncodingJSON(t, fmt.Sprintf("seed-like department %d", i), string(b))
	}
	for name, content := range map[string]string{
		"escapes": `{"slug":"a\/b","name":"Caf\u00e9 \"Le Dôme\"\t\\ \ud83d\ude00 \u2028","acronym":"\u0041","summary":"line\nbreak\r\f\b",` +
			`"description_html":"\u003cp\u003eA \u0026 B\u003c/p\u003e <b>raw</b>","contacts":[{"label":"日本語 ☎","address":{"street":"Große Straße 1","city":"Zürich"},` +
			`"phones":[{"kind":"voice","number":"+41 44 000 00 00","e164":"+41440000000","ext":"","label":""}],"emails":[]}]}`,
		"nulls": `{"slug":null,"name":"N","acronym":null,"summary":null,"description_html":null,"office_id":null,"position":null,` +
			`"contacts":[{"id":null,"label":null,"address":null,"phones":null,"emails":null,"hours":null,"position":null}]}`,
		"null contacts":   `{"slug":"x","contacts":null}`,
		"empty arrays":    `{"slug":"x","contacts":[{"phones":[],"emails":[]}],"learn_more_url":""}`,
		"no contacts":     `{"slug":"x","contacts":[]}`,
		"unknown fields":  `{"slug":"x","extra":{"nested":[1,2,{"a":null}]},"contacts":[{"extra":true}]}`,
		"key case":        `{"Slug":"x","NAME":"y","Description_HTML":"z"}`,
		"whitespace":      " {\n\t\"slug\" : \"x\" ,\r\n \"position\" : 3 } ",
		"big position":    `{"position":1e3}`,
		"envelope":        `{"data":{"name":"N","description_text":"T","contacts":[{"label":"L","address":{"street":"S"}}]}}`,
		"wrong type":      `{"slug":3}`,
		"invalid":         `{"slug":"x"`,
		"trailing":        `{"slug":"x"} {}`,
		"duplicate key":   `{"slug":"x","slug":"y"}`,
		"deep html text":  `{"description_html":"` + strings.Repeat(`<p>\u00e9\"\\</p>`, 500) + `"}`,
		"control escaped": `{"name":"\u0000\u001f"}`,
		"invalid utf-8":   "{\"name\":\"a\xff\xfeb\\u00e9\xc3\"}",
		"lone surrogate":  `{"name":"\ud800x\udc00"}`,
	} {
		decodesLikeEncodingJSON(t, name, content)
	}
}

// seedLikeDepartment is a department like those bench/seed makes, with
// accented and non-Latin text, HTML, a missing address and empty lists.
func seedLikeDepartment(i int) models.DepartmentContent {
	words := []string{"Educación", "Ñandú", "Straße", "Ἀθῆναι", "東京", "O'Brien", `"quoted"`, "a<b>&c", "tab\tnew\nline", "emoji 🎒"}
	w := func(k int) string { return words[(i+k)%len(words)] }
	c := models.DepartmentContent{
		OfficeID: fmt.Sprintf("office-%d", i%7),
		CommonContent: models.CommonContent{
			Slug: fmt.Sprintf("dept-%d", i), Name: w(0) + " " + w(1), Acronym: strings.ToUpper(w(2)[:1]),
			Summary:         w(3) + " serves " + w(4) + ".",
			DescriptionHTML: "<p>" + w(5) + " <strong>" + w(6) + "</strong></p><ul><li>" + w(7) + "</li></ul>",
		},
		LearnMoreURL: fmt.Sprintf("https://example.org/d/%d?a=1&b=2", i),
		Position:     i,
	}
	for k := range i % 4 {
		contact := models.Contact{ID: fmt.Sprintf("c%d", k), Label: w(k), Hours: "Mon–Fri 8:00–16:00", Position: k}
		if k%2 == 0 {
			contact.Address = &models.Address{Street: fmt.Sprintf("%d W. %s Blvd.", 100+i, w(k+1)), City: w(k + 2), State: "IL", PostalCode: "60612", Country: "US"}
		}
		if k != 1 {
			contact.Phones = []models.Phone{{Kind: models.PhoneFax, Number: "773-553-3470", E164: "+17735533470", Label: w(k + 3)}}
		}
		if k == 2 {
			contact.Emails = []models.Email{}
		} else {
			contact.Emails = []models.Email{{Address: fmt.Sprintf("d%d@cps.edu", i), Label: w(k + 4)}}
		}
		c.Contacts = append(c.Contacts, contact)
	}
	return c
}

// TestBatchesReadEveryDocumentOnce reads the demo's departments in batches
// smaller than the directory: each published one comes exactly once.
func TestBatchesReadEveryDocumentOnce(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		if _, err := models.SeedDemo(ctx, db); err != nil {
			t.Fatal(err)
		}
		var want []string
		if err := db.Table("departments").Where("published_revision IS NOT NULL").Order("id").Pluck("id", &want).Error; err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 2, 3, len(want), len(want) + 1} {
			var got []string
			batches := 0
			err := eachBatch(ctx, db, models.KindDepartment, nil, size, func(batch []*publishedRow) {
				batches++
				for _, r := range batch {
					got = append(got, r.ID)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || batches != len(want)/size+1 {
				t.Errorf("batches of %d: %d batches of %v, want %v", size, batches, got, want)
			}
		}
	})
}
