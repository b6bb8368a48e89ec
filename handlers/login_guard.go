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
// A counter counts failures: an attempt is taken before the password is
// checked (so parallel requests cannot overrun a limit) and given back when
// the password was right or never got checked. The counters live in the
// database (models.LoginThrottle), so all instances share them. Bucket
// names are digests: the table holds no email or address.
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
)

// loginAttempt is one admitted attempt, settled with failed, succeeded or
// cancelled once the password was (or was not) checked.
type loginAttempt struct {
	s     *Server
	taken []string // buckets an attempt was taken from, to give back
	pair  string
	acct  string
	known string
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

// take takes an attempt from bucket, or returns the 429 to answer.
func (a *loginAttempt) take(ctx context.Context, bucket string, limit int64, window time.Duration, now time.Time) error {
	ok, wait, err := models.TakeAttempt(ctx, a.s.db, bucket, limit, window, now)
	if err != nil {
		return err
	}
	if !ok {
		return tooManyAttempts(wait)
	}
	a.taken = append(a.taken, bucket)
	return nil
}

// failed records a wrong password: the taken attempts stay counted and the
// account's tally grows.
func (a *loginAttempt) failed(ctx context.Context, now time.Time) error {
	return models.CountAttempt(ctx, a.s.db, a.acct, loginAccountWindow, now)
}

// succeeded gives the attempts back, forgets this address's failures on the
// account and remembers the address as one the owner uses.
func (a *loginAttempt) succeeded(ctx context.Context, now time.Time) error {
	a.cancelled(ctx, now)
	if err := models.ClearAttempts(ctx, a.s.db, a.pair); err != nil {
		return err
	}
	return models.MarkBucket(ctx, a.s.db, a.known, now.Add(loginKnownFor))
}

// cancelled gives the attempts back: the password was not checked (or was
// right). Failing to do so only leaves a limit a little tighter, so errors
// are logged, not returned.
func (a *loginAttempt) cancelled(ctx context.Context, now time.Time) {
	for _, b := range a.taken {
		if err := models.ReturnAttempt(context.WithoutCancel(ctx), a.s.db, b, now); err != nil {
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
