package catalog_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/catalog"
	"bureau/models/dbtest"
)

// TestOfficeDocumentAfterDepartmentChange checks that the joined office
// document a reader got before a publication is not served after it: the
// office's bytes come from its departments', and a department's change must
// show in the office document at once, with a new ETag and length.
func TestOfficeDocumentAfterDepartmentChange(t *testing.T) {
	// The default cache, and one too small to keep any office.
	for _, cacheBytes := range []int64{catalog.DefaultOfficeCacheBytes, 1} {
		dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
			if _, err := models.SeedDemo(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			cat := catalog.New(db, nil, catalog.WithOfficeCacheBytes(cacheBytes))
			if err := cat.LoadAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			before, _ := cat.Office("occs")
			again, _ := cat.Office("occs")
			if !bytes.Equal(before.Body, again.Body) || before.ETag != again.ETag {
				t.Fatalf("cache of %d bytes: two reads of the same office differ", cacheBytes)
			}
			id := editDepartment(t, db, "ecce", func(c *models.DepartmentContent) { c.Summary += " Now open on Saturdays." })
			publish(t, db, models.KindDepartment, id)
			refresh(t, cat, models.KindDepartment, id)
			after, _ := cat.Office("occs")
			if after.ETag == before.ETag || after.LengthH[0] == before.LengthH[0] {
				t.Errorf("cache of %d bytes: office ETag %s, length %s unchanged after its department changed", cacheBytes, after.ETag, after.LengthH[0])
			}
			if !bytes.Contains(after.Body, []byte("Now open on Saturdays.")) || after.LengthH[0] != strconv.Itoa(len(after.Body)) {
				t.Errorf("cache of %d bytes: office document does not carry the change", cacheBytes)
			}
			ecce := departmentDoc(t, cat, "ecce")
			var embedded *departmentJSON
			for _, d := range officeDoc(t, cat, "occs").Departments {
				if d.Slug == "ecce" {
					embedded = &d
				}
			}
			if embedded == nil || embedded.Office != nil || embedded.DescriptionText != ecce.DescriptionText || embedded.Name != ecce.Name {
				t.Errorf("cache of %d bytes: the office embeds %+v for %+v", cacheBytes, embedded, ecce)
			}
		})
	}
}
