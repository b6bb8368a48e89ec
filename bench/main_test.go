package bench

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestMain sets Gin's process-wide mode as cmd/bureau does.
func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}
