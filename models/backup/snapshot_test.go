package backup_test

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"bureau/models"
	"bureau/models/backup"
	"bureau/models/dbtest"
)

// firstWrite runs fn once, on the export's first write to the file, before
// passing the bytes on: that is, while the export is still reading.
type firstWrite struct {
	w    io.Writer
	once sync.Once
	fn   func()
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.once.Do(f.fn)
	return f.w.Write(p)
}

// TestExportIsOneSnapshot: an editor saves while an export runs (on
// another connection, as a running server would). The export shows the
// moment it began: the saved revision is in neither the document's version
// nor the revisions, and the file imports cleanly. Reading table by table
// without one transaction would write the document at version 1 and its
// revision 2, and the import would refuse the file.
func TestExportIsOneSnapshot(t *testing.T) {
	for _, target := range dbtest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Migrated(t, target.URL)
			server := dbtest.Open(t, target.URL) // the editor's own connection
			// Enough offices that the export's buffer fills, and writes,
			// while it still reads the offices.
			var ids []string
			err := db.Transaction(func(tx *gorm.DB) error {
				for i := range 300 {
					o, err := models.CreateOffice(ctx, tx, models.System, models.OfficeContent{CommonContent: models.CommonContent{Slug: "office-" + strconv.Itoa(i), Name: "Office " + strconv.Itoa(i), Summary: strings.Repeat("long summary ", 70)}}, "")
					if err != nil {
						return err
					}
					ids = append(ids, o.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			saved := false
			var buf bytes.Buffer
			out := &firstWrite{w: &buf, fn: func() {
				for _, id := range ids[:10] {
					_, c, err := models.GetOffice(ctx, server, id)
					if err != nil {
						t.Error(err)
						return
					}
					c.Summary = "saved during the export"
					if _, err := models.SaveOfficeDraft(ctx, server, models.System, id, 1, *c, ""); err != nil {
						t.Error(err)
						return
					}
				}
				saved = true
			}}
			if _, err := backup.Export(ctx, db, out, nil); err != nil {
				t.Fatal(err)
			}
			if !saved {
				t.Fatal("the edits did not run during the export")
			}
			if strings.Contains(buf.String(), "saved during the export") {
				t.Fatal("the export holds a revision saved after it began")
			}
			copyDB := dbtest.Migrated(t, freshURL(t, target))
			if _, err := backup.Import(ctx, copyDB, &buf, backup.ImportOptions{}); err != nil {
				t.Fatalf("the export is not one consistent moment: %v", err)
			}
		})
	}
}
