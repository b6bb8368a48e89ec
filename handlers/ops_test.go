package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"bureau/models/dbtest"
)

// TestMetricsStayBoundedUnderMadeUpMethods: 2,000 requests with invented
// methods and paths must not add a series each to /metrics.
func TestMetricsStayBoundedUnderMadeUpMethods(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		e := pubNewEnv(t, db)
		send := func(from, to int) {
			for i := from; i < to; i++ {
				e.do(fmt.Sprintf("M%07d", i), "/api/v1/offices/occs", nil)
				e.do(fmt.Sprintf("Z%07d", i), fmt.Sprintf("/no/such/path/%d", i), nil)
			}
		}
		send(0, 10)
		e.do(http.MethodGet, "/metrics", nil) // its own series exist from now on
		before := e.do(http.MethodGet, "/metrics", nil).Body.String()
		send(10, 1000)
		after := e.do(http.MethodGet, "/metrics", nil).Body.String()
		if strings.Count(after, "\n") != strings.Count(before, "\n") {
			t.Errorf("/metrics grew from %d to %d lines (%d to %d bytes)",
				strings.Count(before, "\n"), strings.Count(after, "\n"), len(before), len(after))
		}
		for _, want := range []string{
			`bureau_http_requests_total{method="other",route="unmatched",status="405"} 1000`,
			`bureau_http_requests_total{method="other",route="unmatched",status="404"} 1000`,
		} {
			if !strings.Contains(after, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(after, "M0000999") || strings.Contains(after, "/no/such/path") {
			t.Error("/metrics carries a made-up method or a raw path")
		}
	})
}

// TestRedirectsIgnoreForwardedPrefix: a near-miss path is never a redirect
// whose Location a client chooses with X-Forwarded-Prefix.
func TestRedirectsIgnoreForwardedPrefix(t *testing.T) {
	dbtest.EachMigrated(t, func(t *testing.T, db *gorm.DB) {
		e := pubNewEnv(t, db)
		for _, path := range []string{"/api/v1/offices/", "/API/v1/offices", "/api/v1//offices", "/healthz/"} {
			rec := e.do(http.MethodGet, path, map[string]string{"X-Forwarded-Prefix": "//evil.example"})
			if loc := rec.Header().Get("Location"); loc != "" || rec.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d Location %q, want a 404 without Location", path, rec.Code, loc)
			}
		}
		// The one deliberate redirect still points inside this server.
		rec := e.do(http.MethodGet, "/admin", map[string]string{"X-Forwarded-Prefix": "//evil.example"})
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/admin/" {
			t.Errorf("GET /admin: %d Location %q", rec.Code, rec.Header().Get("Location"))
		}
	})
}
