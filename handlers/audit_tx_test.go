package handlers_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"
)

// Every write records its audit event in the transaction of the change, so
// the two commit or roll back together. Writing the event with the server's
// *gorm.DB instead of the transaction passes every ordinary test on
// PostgreSQL (and deadlocks only SQLite's single connection); this test
// notices on both: it makes the audit insert fail after its row is written,
// and then no audit row and no change may remain. Without the failure, the
// same request succeeds within the request deadline and leaves exactly one
// new audit event.

var errInjected = errors.New("injected failure after the audit insert")

// failAuditInserts registers, on env's database, a callback that fails each
// audit insert after the row is written, while armed.
func failAuditInserts(t *testing.T, env *testEnv) *atomic.Bool {
	t.Helper()
	var armed atomic.Bool
	err := env.db.Callback().Create().After("gorm:create").Register("test:fail_audit_after_insert", func(tx *gorm.DB) {
		if armed.Load() && tx.Statement.Table == "audit_events" && tx.Error == nil {
			_ = tx.AddError(errInjected)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return &armed
}

func TestAuditEventCommitsWithItsChange(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		armed := failAuditInserts(t, env)
		admin := env.user("ada@example.org", "admin *")
		other := env.user("grace@example.org")
		dept := "/api/v1/admin/departments/" + env.ecce
		ifMatch := func(path string) map[string]string {
			return map[string]string{"If-Match": env.etag(admin.Token, path)}
		}
		var grantID string

		// Each write, in an order where each finds what it needs.
		for _, w := range []struct {
			name string
			req  func() request
			then func(res *response)
		}{
			{"create", func() request {
				return request{Method: "POST", Path: "/api/v1/admin/offices", Body: `{"slug":"audit-office","name":"Audit Office"}`}
			}, nil},
			{"save", func() request {
				return request{Method: "PATCH", Path: dept, Header: ifMatch(dept), Body: `{"summary":"A new summary."}`}
			}, nil},
			{"publish", func() request {
				return request{Method: "POST", Path: dept + "/publish", Header: ifMatch(dept)}
			}, nil},
			{"unpublish", func() request {
				return request{Method: "POST", Path: dept + "/unpublish", Header: ifMatch(dept)}
			}, nil},
			{"restore a revision", func() request {
				return request{Method: "POST", Path: dept + "/revisions/1/restore", Header: ifMatch(dept)}
			}, nil},
			{"trash", func() request {
				return request{Method: "DELETE", Path: dept, Header: ifMatch(dept)}
			}, nil},
			{"restore from the trash", func() request {
				return request{Method: "POST", Path: "/api/v1/admin/trash/departments/" + env.ecce + "/restore"}
			}, nil},
			{"create a user", func() request {
				return request{Method: "POST", Path: "/api/v1/admin/users", Body: `{"email":"linus@example.org","password":"a long enough passphrase"}`}
			}, nil},
			{"update a user", func() request {
				return request{Method: "PATCH", Path: "/api/v1/admin/users/" + other.ID, Body: `{"display_name":"Grace Hopper"}`}
			}, nil},
			{"add a grant", func() request {
				return request{Method: "POST", Path: "/api/v1/admin/grants", Body: `{"user_id":"` + other.ID + `","role":"viewer","scope":"office:occs"}`}
			}, func(res *response) {
				var g struct {
					Data struct {
						ID json.RawMessage `json:"id"`
					} `json:"data"`
				}
				res.decode(t, &g)
				grantID = strings.Trim(string(g.Data.ID), `"`)
			}},
			{"remove a grant", func() request {
				return request{Method: "DELETE", Path: "/api/v1/admin/grants/" + grantID}
			}, nil},
		} {
			before := env.snapshot(t)
			failing := w.req()
			failing.As, failing.ServerError = admin, true
			armed.Store(true)
			res := env.serve(t, failing)
			armed.Store(false)
			if res.Code < 500 {
				t.Errorf("%s with the audit insert failing: %s, want a server error", w.name, res)
			}
			if changed := snapshotDiff(before, env.snapshot(t)); len(changed) > 0 {
				t.Errorf("%s: the failed write left changes behind in %v", w.name, changed)
			}

			audits := countRows(t, env, "audit_events")
			ok := w.req()
			ok.As = admin
			res = env.serve(t, ok)
			if res.Code < 200 || res.Code > 299 {
				t.Fatalf("%s without the failure: %s", w.name, res)
			}
			if n := countRows(t, env, "audit_events"); n != audits+1 {
				t.Errorf("%s: %d new audit events, want 1", w.name, n-audits)
			}
			if w.then != nil {
				w.then(res)
			}
		}
	})
}

func countRows(t *testing.T, env *testEnv, table string) int64 {
	t.Helper()
	var n int64
	if err := env.db.Table(table).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
