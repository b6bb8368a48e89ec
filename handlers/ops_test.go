package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsStayBoundedUnderMadeUpMethods: 2,000 requests with invented
// methods and paths must not add a series each to /metrics.
func TestMetricsStayBoundedUnderMadeUpMethods(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		send := func(from, to int) {
			for i := from; i < to; i++ {
				env.do(request{Method: fmt.Sprintf("M%07d", i), Path: "/api/v1/offices/occs"})
				env.do(request{Method: fmt.Sprintf("Z%07d", i), Path: fmt.Sprintf("/no/such/path/%d", i)})
			}
		}
		send(0, 10)
		env.do(request{Path: "/metrics"}) // its own series exist from now on
		before := string(env.do(request{Path: "/metrics"}).Body)
		send(10, 1000)
		after := string(env.do(request{Path: "/metrics"}).Body)
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
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		for _, path := range []string{"/api/v1/offices/", "/API/v1/offices", "/api/v1//offices", "/healthz/"} {
			rec := env.do(request{Path: path, Header: map[string]string{"X-Forwarded-Prefix": "//evil.example"}})
			if loc := rec.Header.Get("Location"); loc != "" || rec.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d Location %q, want a 404 without Location", path, rec.Code, loc)
			}
		}
		// The one deliberate redirect still points inside this server.
		rec := env.do(request{Path: "/admin", Header: map[string]string{"X-Forwarded-Prefix": "//evil.example"}})
		if rec.Code != http.StatusMovedPermanently || rec.Header.Get("Location") != "/admin/" {
			t.Errorf("GET /admin: %d Location %q", rec.Code, rec.Header.Get("Location"))
		}
	})
}
