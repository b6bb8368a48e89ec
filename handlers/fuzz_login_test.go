package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"bureau/models"
)

// FuzzLoginBody sends arbitrary bodies to the sign-in endpoint: it must
// never fail with a 5xx or panic, and only the real credentials sign in.
//
//	go test ./handlers -run '^$' -fuzz FuzzLoginBody -fuzztime=15s -fuzzminimizetime=20x
//
// An unknown email costs a full-strength argon2 hash (timing equalisation),
// so minimising an interesting input with the default 60s budget stalls the
// run: keep -fuzzminimizetime small.
func FuzzLoginBody(f *testing.F) {
	// One SQLite database per fuzz process: the target is the parsing and
	// checking of the body, which is the same on both databases (the
	// PostgreSQL-specific inputs are in TestAuthLoginOddInput).
	env := newEnv(f, withQuietLog(), withoutContractCheck())
	u := env.user("fuzz@example.org", "viewer *")

	creds, _ := json.Marshal(map[string]string{"email": u.Email, "password": u.Password})
	for _, seed := range []string{
		string(creds),
		`{"email":"FUZZ@example.org ","password":"` + u.Password + `"}`,
		`{"email":"fuzz@example.org","password":"wrong password here"}`,
		`{"email":"nobody@example.org","password":"x"}`,
		`{"email":"fuzz@example.org","password":"x","email":"other@example.org"}`,
		`{"Email":"fuzz@example.org","PASSWORD":"x"}`,
		`{"email":"\u0000","password":"\ud800"}`,
		`{"email":["fuzz@example.org"],"password":{}}`,
		`{"email":1e999,"password":null}`,
		`[]`, `null`, `""`, `{`, ``, `{}{}`, `{"a":` + `[[[[[[[[[[[[[[[[[[[[` + `]]]]]]]]]]]]]]]]]]]]}`,
	} {
		f.Add([]byte(seed))
	}

	// Each request comes from its own address so the per-address limit
	// does not turn the whole run into 429s.
	var n atomic.Uint32
	f.Fuzz(func(t *testing.T, body []byte) {
		i := n.Add(1)
		res := env.serve(t, request{
			Method: "POST", Path: "/api/v1/auth/login", Body: append([]byte{}, body...),
			Remote: fmt.Sprintf("10.%d.%d.%d:1234", byte(i>>16), byte(i>>8), byte(i)),
		})
		if res.Code >= 500 {
			return // reported by env.serve
		}
		if res.Code == http.StatusOK {
			var got struct {
				Email    string `json:"email"`
				Password string `json:"password"`
			}
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			err := dec.Decode(&got)
			if err != nil || dec.More() || models.NormalizeEmail(got.Email) != u.Email || got.Password != u.Password {
				t.Fatalf("signed in with a body that does not hold the real credentials: %q", body)
			}
			return
		}
		switch res.Code {
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusTooManyRequests,
			http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("unexpected status %d for %q: %s", res.Code, body, res.Body)
		}
	})
}
