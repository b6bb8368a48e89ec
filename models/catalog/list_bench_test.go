package catalog_test

import (
	"context"
	"os"
	"testing"

	"bureau/models"
	"bureau/models/catalog"
)

// BenchmarkListPages measures list pages on a database made by bench/seed:
// a cached page (the common case) and pages built at distinct offsets
// (what a crawler costs):
//
//	BENCH_DATABASE_URL=sqlite:/tmp/big/bureau.db go test ./models/catalog -run '^$' -bench ListPages
func BenchmarkListPages(b *testing.B) {
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("set BENCH_DATABASE_URL to a database made by bench/seed")
	}
	ctx := context.Background()
	db, err := models.Open(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer models.Close(db)
	cat := catalog.New(db, nil)
	if err := cat.LoadAll(ctx); err != nil {
		b.Fatal(err)
	}
	_, total := cat.Counts()
	b.Run("cached", func(b *testing.B) {
		q := catalog.ListQuery{Limit: 20, Offset: 100}
		cat.ListDepartments(q)
		for b.Loop() {
			cat.ListDepartments(q)
		}
	})
	b.Run("built", func(b *testing.B) {
		i := 0
		for b.Loop() {
			cat.ListDepartments(catalog.ListQuery{Limit: 20, Offset: 1000 + i%(total-1020)})
			i++
		}
	})
}
