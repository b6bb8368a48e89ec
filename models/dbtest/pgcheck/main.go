// Command pgcheck exits 0 when the PostgreSQL of BUREAU_TEST_POSTGRES_URL
// answers: `make test` uses it to decide whether to test on PostgreSQL too.
package main

import (
	"context"
	"os"
	"time"

	"bureau/models"
)

func main() {
	url := os.Getenv("BUREAU_TEST_POSTGRES_URL")
	if url == "" {
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := models.Open(ctx, url, nil)
	if err != nil {
		os.Exit(1)
	}
	_ = models.Close(db)
}
