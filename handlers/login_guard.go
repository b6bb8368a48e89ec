package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"time"

	"bureau/models"
)

// Sign-in throttling. Password guessing must stay slow, but a stranger must
// not be able to lock an account's owner out by failing on purpose (the old
// rule, ten failures from anywhere lock the account for everyone, did
// exactly that). So the hard limits are on what the guesser controls, its
// address, and the account-wide count only decides how much a new address
// may try:
//
//   - per client address: at most loginAddrMax failed sign-ins per
//     loginAddrWindow, over all accounts (stops spraying from one place);
//   - per address and account: at most loginPairMax failures per
//     loginPairWindow (stops guessing one account from one place);
//   - per account: failures from all addresses are tallied. Past
//     loginAccountAlarm in loginAccountWindow the account is "under attack",
//     which blocks nobody by itself, but:
//     an address that signed in to the account successfully in the last
//     loginKnownFor (its owner's usual places) keeps the ordinary limits;
//     any other address gets one attempt per window on this account (an
//     address that already failed on it is refused), and such attempts
//     share a budget of loginFreshBudget per window for the account.
//
// So an owner signing in from a known address, or from a new address with
// no recent failures while the budget lasts, gets in with the right
// password; a botnet needs one address per guess and gets at most
// loginFreshBudget guesses per window on one account.
//
// An attempt is reserved before the password is checked (so parallel
// requests cannot overrun a limit) and then confirmed as a failure, or
// given back when the password was right or never got checked. A limit
// reached by failures answers 429 for the rest of its window; one reached
// only because attempts are in flight (a few tabs, a script retrying) answers
// 429 with a Retry-After of loginSettleWithin, by when those attempts are
// settled. The counters live in the database (models.LoginThrottle), so all
// instances share them. Bucket names are digests: the table holds no email
// or address.
const (
	loginAddrMax        = 30
	loginAddrWindow     = 10 * time.Minute
	loginPairMax        = 5
	loginPairWindow     = 15 * time.Minute
	loginAccountAlarm   = 10
	loginAccountWindow  = 15 * time.Minute
	loginFreshBudget    = 20
	loginKnownFor       = 30 * 24 * time.Hour
	loginPurgeEvery     = time.Minute
	loginPairUnderAlarm = 1
	// loginSettleWithin is how soon attempts in flight are settled, as a
	// rule: a sign-in waits at most hashMaxWait for a hashing slot and is
	// then answered (or refused) within one hash, well under a second.
	loginSettleWithin = hashMaxWait
	// loginReservedFor is when an unsettled reservation lapses (its request
	// died with its instance). Long past any live request: it has at most
	// the request's database deadline (Options.DBTimeout) and one hash.
	loginReservedFor = 30 * time.Second
)

// loginAttempt is one admitted attempt, settled with failed, succeeded or
// cancelled once the password was (or was not) checked.
type loginAttempt struct {
	s     *Server
	taken []takenAttempt // reservations to confirm or give back
	pair  string
	acct  string
	known string
}

// takenAttempt is a reservation in bucket, whose failures count for window.
type takenAttempt struct {
	bucket string
	window time.Duration
}

// throttleBucket names a bucket without storing what it is about.
func throttleBucket(kind string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// clientNetwork is the unit an address limit applies to: one IPv4 address,
// or one IPv6 /64 (a single host can use a whole /64, so counting its
// addresses apart would give it 2^64 budgets).
func clientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// admitLogin decides whether address may try a password for email now, and
// takes the attempt. It answers 429 with Retry-After when a limit is reached.
func (s *Server) admitLogin(ctx context.Context, address, email string, now time.Time) (*loginAttempt, error) {
	s.purgeThrottles(ctx, now)
	network := clientNetwork(address)
	a := &loginAttempt{
		s:     s,
		pair:  throttleBucket("pair", network, email),
		acct:  throttleBucket("account", email),
		known: throttleBucket("known", network, email),
	}
	if err := a.take(ctx, throttleBucket("address", network), loginAddrMax, loginAddrWindow, now); err != nil {
		return nil, err
	}
	pairMax := int64(loginPairMax)
	underAttack, known, err := a.accountState(ctx, now)
	if err == nil && underAttack && !known {
		pairMax = loginPairUnderAlarm
		err = a.take(ctx, throttleBucket("fresh", email), loginFreshBudget, loginAccountWindow, now)
	}
	if err == nil {
		err = a.take(ctx, a.pair, pairMax, loginPairWindow, now)
	}
	if err != nil {
		a.cancelled(ctx, now)
		return nil, err
	}
	return a, nil
}

func (a *loginAttempt) accountState(ctx context.Context, now time.Time) (underAttack, known bool, err error) {
	failures, err := models.Attempts(ctx, a.s.db, a.acct, now)
	if err != nil || failures < loginAccountAlarm {
		return false, false, err
	}
	mark, err := models.Attempts(ctx, a.s.db, a.known, now)
	return true, mark > 0, err
}

// take reserves an attempt in bucket, or returns the 429 to answer.
func (a *loginAttempt) take(ctx context.Context, bucket string, limit int64, window time.Duration, now time.Time) error {
	ok, refusal, err := models.ReserveAttempt(ctx, a.s.db, bucket, limit, a.s.loginReservedFor(), now)
	if err != nil {
		return err
	}
	if !ok && refusal.Failures {
		return tooManyAttempts(refusal.RetryAfter)
	}
	if !ok {
		return tooManyAttempts(min(refusal.RetryAfter, loginSettleWithin))
	}
	a.taken = append(a.taken, takenAttempt{bucket, window})
	return nil
}

// loginReservedFor is loginReservedFor, or twice the request deadline when
// that is longer, so that no reservation lapses while its request lives.
func (s *Server) loginReservedFor() time.Duration {
	return max(loginReservedFor, 2*s.opts.DBTimeout)
}

// failed records a wrong password: the reservations become failures and the
// account's tally grows. A failure is a fact whether or not the client still
// waits for the answer, so a cancelled request records it all the same.
func (a *loginAttempt) failed(ctx context.Context, now time.Time) error {
	ctx = context.WithoutCancel(ctx)
	for _, t := range a.taken {
		if err := models.ConfirmFailure(ctx, a.s.db, t.bucket, t.window, now); err != nil {
			return err
		}
	}
	a.taken = nil
	return models.CountFailure(ctx, a.s.db, a.acct, loginAccountWindow, now)
}

// succeeded gives the reservations back, forgets this address's failures on
// the account and remembers the address as one the owner uses.
func (a *loginAttempt) succeeded(ctx context.Context, now time.Time) error {
	a.cancelled(ctx, now)
	if err := models.ClearFailures(ctx, a.s.db, a.pair); err != nil {
		return err
	}
	return models.MarkBucket(ctx, a.s.db, a.known, now.Add(loginKnownFor))
}

// cancelled gives the reservations back: the password was not checked (or
// was right). Failing to do so only leaves a limit a little tighter until
// the reservation lapses, so errors are logged, not returned.
func (a *loginAttempt) cancelled(ctx context.Context, now time.Time) {
	for _, t := range a.taken {
		if err := models.ReleaseAttempt(context.WithoutCancel(ctx), a.s.db, t.bucket, now); err != nil {
			a.s.log.Error("give back a sign-in attempt", "error", err.Error())
		}
	}
	a.taken = nil
}

// purgeThrottles deletes expired counters, at most once per loginPurgeEvery
// per instance, so the table stays as large as the last window's traffic.
func (s *Server) purgeThrottles(ctx context.Context, now time.Time) {
	next := s.nextThrottlePurge.Load()
	if now.UnixNano() < next || !s.nextThrottlePurge.CompareAndSwap(next, now.Add(loginPurgeEvery).UnixNano()) {
		return
	}
	if err := models.PurgeLoginThrottles(ctx, s.db, now); err != nil {
		s.log.Error("purge expired sign-in counters", "error", err.Error())
	}
}
