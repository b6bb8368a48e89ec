package backup_test

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestMain sets Gin's process-wide mode as cmd/bureau does (these tests
// serve the round trip's answers through the real router).
func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}
