package models

import (
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/precis"
)

// Account emails are identities: two spellings of one address must find one
// account, and no address may be made to look like another's. So:
//
//   - the part before the @ goes through the PRECIS UsernameCaseMapped
//     profile (RFC 8265): fullwidth and other compatibility forms fold to
//     their plain letters (ａdmin -> admin), text is NFC, case is mapped;
//   - the domain goes through IDNA (UTS 46) to its ASCII form, so an
//     internationalized domain is stored as xn--..., which cannot pass for
//     a Latin one;
//   - a new account's local part must then be plain ASCII: letters from
//     other scripts (a Cyrillic а in аdmin@) are refused rather than made
//     into a second, look-alike account. A deliberate allowlist is simpler
//     and safer than a table of confusable characters.
//
// Emails stored before these rules stay valid: sign-in also looks them up
// in the old form (trimmed, lower-cased).

// NormalizeEmail is the form account emails are stored and compared in.
// Input that PRECIS or IDNA cannot take (spaces, control characters) comes
// back trimmed and lower-cased, and then fails validation.
func NormalizeEmail(email string) string {
	legacy := legacyNormalizeEmail(email)
	at := strings.LastIndexByte(legacy, '@')
	if at < 0 {
		return legacy
	}
	local, err := precis.UsernameCaseMapped.String(legacy[:at])
	if err != nil {
		return legacy
	}
	domain, err := idna.Lookup.ToASCII(legacy[at+1:])
	if err != nil {
		return legacy
	}
	return local + "@" + domain
}

// legacyNormalizeEmail is how emails were stored before NormalizeEmail used
// PRECIS and IDNA.
func legacyNormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// AccountEmailError says what is wrong with email as the address of a new
// or renamed account, or returns "" when it may be used.
func AccountEmailError(email string) string {
	n := NormalizeEmail(email)
	if !ValidEmail(n) {
		return "must be an email address such as name@example.org"
	}
	for i := 0; i < len(n); i++ {
		if n[i] >= 0x80 {
			return "must use only ASCII letters, digits and punctuation before the @: letters from other alphabets can imitate another address"
		}
	}
	return ""
}
