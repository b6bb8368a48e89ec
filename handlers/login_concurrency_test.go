package handlers_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"bureau/auth"
	"bureau/handlers"
	"bureau/models/dbtest"
)

// Sign-ins in flight at the same time, from one address for one account
// (a few tabs, a script that retries). Attempts are reserved before the
// password is checked, so parallel guesses cannot overrun a limit; a
// request refused only because others are in flight must be told to come
// back in a moment, not in a quarter hour.

// loginBurstSize is more than the 5 attempts one address may have on one
// account, and no more than the hashing queue below holds.
const loginBurstSize = 20

// eachDBWithHashGate is eachDB with a hashing gate of one slot per engine,
// which the test holds to keep sign-ins in flight.
func eachDBWithHashGate(t *testing.T, fn func(t *testing.T, env *testEnv, gate *auth.HashGate)) {
	for _, engine := range dbtest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			gate := auth.NewHashGate(1, loginBurstSize, time.Minute)
			env := newEnv(t, onEngine(engine), withDeps(func(d *handlers.Deps) { d.HashGate = gate }),
				// The held sign-ins wait for the slot within their request's
				// deadline, which a loaded test machine must not run out.
				withOptions(func(o *handlers.Options) { o.DBTimeout = time.Minute }))
			fn(t, env, gate)
		})
	}
}

// loginBurst sends n sign-ins at once while the hashing slot is held, so
// that every admitted one is still in flight when the others are decided;
// then it lets them through. Each answer goes to settle, which may send
// more requests (a client retrying) before it returns.
func loginBurst(t *testing.T, env *testEnv, gate *auth.HashGate, n int, login request, settle func(first *response)) {
	t.Helper()
	release, err := gate.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	var answered sync.WaitGroup
	answered.Add(n)
	var done sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for range n {
		done.Go(func() {
			res := env.do(login)
			if res.Code == http.StatusTooManyRequests {
				mu.Lock()
				refused++
				mu.Unlock()
			}
			answered.Done()
			settle(res)
		})
	}
	// Every request is either answered (refused) or queued for the slot.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		decided := refused + gate.Waiting()
		mu.Unlock()
		if decided == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s, %d of %d sign-ins refused or queued", decided, n)
		}
		time.Sleep(time.Millisecond)
	}
	release()
	answered.Wait()
	done.Wait()
}

// retryAfter is the 429's Retry-After in seconds.
func retryAfter(t *testing.T, res *response) int {
	t.Helper()
	expectProblem(t, "refused sign-in", res, http.StatusTooManyRequests)
	s, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || s < 1 {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	return s
}

// The review's case: 20 parallel correct sign-ins from one address, of
// which 15 were told to wait 900 s. Now each refused one is told to come
// back within 2 s, and a client that does so gets in.
func TestLoginParallelCorrectPasswords(t *testing.T) {
	eachDBWithHashGate(t, func(t *testing.T, env *testEnv, gate *auth.HashGate) {
		u := env.user("tabs@example.org", "viewer *")
		login := request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": u.Password}}
		var mu sync.Mutex
		var waits []int
		signedIn := 0
		loginBurst(t, env, gate, loginBurstSize, login, func(res *response) {
			for deadline := time.Now().Add(30 * time.Second); res.Code == http.StatusTooManyRequests && time.Now().Before(deadline); {
				wait := retryAfter(t, res)
				mu.Lock()
				waits = append(waits, wait)
				mu.Unlock()
				if wait > 2 {
					return
				}
				time.Sleep(time.Duration(wait) * time.Second)
				res = env.do(login)
			}
			if res.Code != http.StatusOK {
				t.Errorf("sign-in: %s", res)
				return
			}
			mu.Lock()
			signedIn++
			mu.Unlock()
		})
		if len(waits) == 0 {
			t.Error("no sign-in was refused: the burst did not overlap, and the test proves nothing")
		}
		for _, w := range waits {
			if w > 2 {
				t.Errorf("a correct sign-in in a burst was told to wait %d s", w)
				break
			}
		}
		if signedIn != loginBurstSize {
			t.Errorf("%d of %d parallel sign-ins got in", signedIn, loginBurstSize)
		}
	})
}

// Parallel wrong guesses, each retried as soon as it is told, get exactly
// the 5 an address has on an account; then the address waits out the
// window, correct password or not.
func TestLoginParallelGuessesKeepTheLimit(t *testing.T) {
	eachDBWithHashGate(t, func(t *testing.T, env *testEnv, gate *auth.HashGate) {
		u := env.user("guessed@example.org", "viewer *")
		guess := request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": "not the password"}}
		var mu sync.Mutex
		checked := 0
		loginBurst(t, env, gate, loginBurstSize, guess, func(res *response) {
			for res.Code != http.StatusUnauthorized {
				if res.Code != http.StatusTooManyRequests {
					t.Errorf("guess: %s", res)
					return
				}
				wait := retryAfter(t, res)
				if wait > 2 {
					return // the window is full of failures
				}
				time.Sleep(time.Duration(wait) * time.Second)
				res = env.do(guess)
			}
			mu.Lock()
			checked++
			mu.Unlock()
		})
		if checked != 5 {
			t.Errorf("%d guesses were checked from one address, want 5", checked)
		}
		res := env.do(request{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]string{"email": u.Email, "password": u.Password}})
		if wait := retryAfter(t, res); wait < 14*60 {
			t.Errorf("after 5 failures, the correct password is told to wait %d s, want the window (15 min)", wait)
		}
	})
}
