package handlers_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"bureau/auth"
	"bureau/handlers"
)

// Sign-in limits (handlers/login_guard.go) and the bounded hashing queue.

// loginFrom is a login request from a given client address.
func loginFrom(addr, email, password string) request {
	r := secLoginReq(email, password)
	r.Remote = addr + ":40000"
	return r
}

// attack fails on email from n addresses of 198.51.100.0/24, each times
// times, and checks every attempt was a plain 401.
func attack(t *testing.T, env *testEnv, email string, first, n, times int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		for j := range times {
			res := env.do(loginFrom(fmt.Sprintf("198.51.100.%d", i), email, fmt.Sprintf("guess %d-%d", i, j)))
			if res.Code != http.StatusUnauthorized {
				t.Fatalf("attacker %d, guess %d: %s", i, j, res)
			}
		}
	}
}

// home is the address an owner signed in from before an attack.
const home = "203.0.113.10"

func signInFromHome(t *testing.T, env *testEnv, u *envUser) {
	t.Helper()
	if res := env.do(loginFrom(home, u.Email, u.Password)); res.Code != http.StatusOK {
		t.Fatalf("first sign-in from home: %s", res)
	}
}

// Failures from many addresses used to lock the account for everyone,
// its owner included. Now they only ration addresses that are new to the
// account: the owner gets in from a known address, and from a new one too.
func TestLoginStrangersCannotLockOutTheOwner(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("owner@example.org", "viewer *")
		signInFromHome(t, env, u)
		attack(t, env, u.Email, 1, 2, 4) // 8 failures from 2 addresses,
		attack(t, env, u.Email, 3, 1, 2) // and 2 more: 10, the alarm

		if res := env.do(loginFrom(home, u.Email, u.Password)); res.Code != http.StatusOK {
			t.Errorf("owner from a known address: %s", res)
		}
		if res := env.do(loginFrom("203.0.113.20", u.Email, u.Password)); res.Code != http.StatusOK {
			t.Errorf("owner from a new address: %s", res)
		}
		// The attackers' addresses, which failed on it, may try no more,
		// although each is below the ordinary limit of 5.
		expectProblem(t, "attacker again", env.do(loginFrom("198.51.100.3", u.Email, "guess again")), http.StatusTooManyRequests)
		// A new address gets one try while the account is under attack.
		if res := env.do(loginFrom("198.51.100.77", u.Email, "one guess")); res.Code != http.StatusUnauthorized {
			t.Errorf("a new address's first guess: %s", res)
		}
		expectProblem(t, "a new address's second guess", env.do(loginFrom("198.51.100.77", u.Email, "two guesses")), http.StatusTooManyRequests)
	})
}

// While an account is under attack, new addresses share a budget: a botnet
// gets a bounded number of guesses. The owner's known address is exempt.
func TestLoginNewAddressBudgetUnderAttack(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("budget@example.org", "viewer *")
		signInFromHome(t, env, u)
		attack(t, env, u.Email, 1, 2, 5) // 10 failures: under attack
		attack(t, env, u.Email, 10, 20, 1)
		res := env.do(loginFrom("198.51.100.200", u.Email, u.Password))
		expectProblem(t, "past the budget, even with the password", res, http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		if res := env.do(loginFrom(home, u.Email, u.Password)); res.Code != http.StatusOK {
			t.Errorf("owner from a known address: %s", res)
		}
	})
}

// Counters are in the database: two instances, each with its own
// connection pool on one database, count together (on PostgreSQL, as
// deployed behind a load balancer; on SQLite, two handles on one file).
func TestLoginLimitsSharedByInstances(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, first *testEnv) {
		second := newEnv(t, sharingDatabase(first))
		for i := range 30 {
			env := first
			if i%2 == 1 {
				env = second
			}
			res := env.do(secLoginReq(fmt.Sprintf("sprayed-%d@example.org", i), "wrong password"))
			if res.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %s", i+1, res)
			}
		}
		for name, env := range map[string]*testEnv{"first": first, "second": second} {
			res := env.do(secLoginReq("sprayed-99@example.org", "wrong password"))
			expectProblem(t, "31st attempt on the "+name+" instance", res, http.StatusTooManyRequests)
		}
	})
}

// Behind a trusted proxy (as in docker-compose.yml) each visitor is limited
// by its own address, taken from X-Forwarded-For.
func TestLoginLimitsPerClientBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("proxied@example.org", "viewer *")
		via := func(client, password string) *response {
			r := secLoginReq(u.Email, password)
			r.Header = map[string]string{"X-Forwarded-For": client}
			return env.do(r)
		}
		for i := range 5 {
			if res := via("198.51.100.5", fmt.Sprintf("guess %d", i)); res.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d: %s", i, res)
			}
		}
		expectProblem(t, "the guessing visitor", via("198.51.100.5", u.Password), http.StatusTooManyRequests)
		if res := via("198.51.100.6", u.Password); res.Code != http.StatusOK {
			t.Errorf("another visitor through the same proxy: %s", res)
		}
	}, withOptions(func(o *handlers.Options) { o.TrustedProxies = []string{envPeer} }))
}

// An IPv6 client is one /64: rotating the low bits buys no new budget.
func TestLoginLimitsIPv6Prefix(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, env *testEnv) {
		u := env.user("six@example.org")
		for i := range 5 {
			r := secLoginReq(u.Email, "wrong password")
			r.Remote = fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1)
			if res := env.do(r); res.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d: %s", i, res)
			}
		}
		r := secLoginReq(u.Email, u.Password)
		r.Remote = "[2001:db8:1:2:ffff::1]:443"
		expectProblem(t, "same /64", env.do(r), http.StatusTooManyRequests)
	})
}

// Past the hashing slots and the short queue, a sign-in is answered 503
// with Retry-After at once instead of queueing without bound.
func TestLoginHashQueueIsBounded(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		gate := auth.NewHashGate(1, 1, time.Minute)
		env := newEnv(t, onEngine(engine), withDeps(func(d *handlers.Deps) { d.HashGate = gate }))
		u := env.user("queued@example.org")
		release, err := gate.Hold(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		// A 503 is what this test provokes.
		send := func() *response {
			r := secLoginReq(u.Email, u.Password)
			r.ServerError = true
			return env.serve(t, r)
		}
		queued := make(chan *response, 1)
		go func() { queued <- send() }()
		deadline := time.Now().Add(5 * time.Second)
		for gate.Waiting() != 1 {
			if time.Now().After(deadline) {
				t.Fatal("the first sign-in never queued")
			}
			time.Sleep(time.Millisecond)
		}
		refused := send()
		if refused.Code != http.StatusServiceUnavailable || refused.Header.Get("Retry-After") != "1" ||
			!strings.HasPrefix(refused.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("past the queue: %d %v %s", refused.Code, refused.Header, refused.Body)
		}
		release()
		if res := <-queued; res.Code != http.StatusOK {
			t.Errorf("queued sign-in: %s", res)
		}
		// The refused attempt was given back: the address and account
		// limits did not count it.
		for i := range 4 {
			if res := env.do(secLoginReq(u.Email, "wrong password")); res.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d: %s", i, res)
			}
		}
		if res := env.do(secLoginReq(u.Email, u.Password)); res.Code != http.StatusOK {
			t.Errorf("5th attempt after a 503: %s", res)
		}
	})
}

// Every password hash goes through the same bounded slots: an admin
// creating accounts or setting passwords cannot queue hashing without
// bound either.
func TestAdminPasswordHashingUsesTheBoundedQueue(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		gate := auth.NewHashGate(1, 0, time.Minute)
		env := newEnv(t, onEngine(engine), withDeps(func(d *handlers.Deps) { d.HashGate = gate }))
		admin := env.user("root@example.org", "admin *")
		// A 503 is what this test provokes.
		send := func(method, path string, body map[string]string) *response {
			return env.serve(t, request{Method: method, Path: path, As: admin, Body: body, ServerError: true})
		}
		create := func() *response {
			return send(http.MethodPost, "/api/v1/admin/users",
				map[string]string{"email": "new@example.org", "display_name": "New", "password": "a long enough new password 42"})
		}
		release, err := gate.Hold(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		before := env.snapshot(t, "audit_events", "refresh_tokens")
		if res := create(); res.Code != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Errorf("create while hashing is full: %s", res)
		}
		reset := send(http.MethodPatch, "/api/v1/admin/users/"+admin.ID, map[string]string{"password": "another long enough password 43"})
		if reset.Code != http.StatusServiceUnavailable {
			t.Errorf("password reset while hashing is full: %s", reset)
		}
		if after := env.snapshot(t, "audit_events", "refresh_tokens"); !maps.Equal(before, after) {
			t.Error("a refused request changed the database")
		}
		release()
		// The held slot is given back by its goroutine: allow it a moment.
		deadline := time.Now().Add(5 * time.Second)
		res := create()
		for res.Code == http.StatusServiceUnavailable && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
			res = create()
		}
		if res.Code != http.StatusCreated {
			t.Errorf("create once the slot is free: %s", res)
		}
	})
}
