package handlers

import (
	"slices"
	"strconv"
	"strings"
)

// negotiateEncoding picks the content coding to send from what the client
// accepts (RFC 9110 12.5.3, q-values honoured) among the ones available, in
// the server's order of preference; "" means identity. A coding is chosen
// only when the client weighs it above identity, if it names identity
// ("identity;q=1, gzip;q=0.5" gets identity), and on equal weights the
// server's order decides. Identity is always the fallback: even a client
// that refuses it ("identity;q=0", "*;q=0") gets a readable answer rather
// than a 406 it cannot do anything with.
//
// It runs on every public request, so it walks the header in place and
// allocates nothing, and the values clients send most are recognised whole.
func negotiateEncoding(acceptEncoding string, available ...string) string {
	if len(available) == 0 || strings.TrimSpace(acceptEncoding) == "" {
		return ""
	}
	available = available[:min(len(available), maxCodings)]
	if listed, ok := commonAcceptEncodings[acceptEncoding]; ok {
		// No weights: every listed coding has q=1 and identity is not
		// named, so the first available one listed wins.
		for _, enc := range available {
			if slices.ContainsFunc(listed, func(name string) bool { return strings.EqualFold(name, enc) }) {
				return enc
			}
		}
		return ""
	}
	return negotiateWeighted(acceptEncoding, available)
}

const maxCodings = 4 // the server offers br and gzip

// commonAcceptEncodings are the Accept-Encoding values of browsers, curl,
// Go's client and most libraries, which list codings without weights, and
// the codings each names.
var commonAcceptEncodings = map[string][]string{
	"gzip":                    {"gzip"},
	"br":                      {"br"},
	"gzip, deflate":           {"gzip", "deflate"},
	"deflate, gzip":           {"deflate", "gzip"},
	"gzip, br":                {"gzip", "br"},
	"br, gzip":                {"br", "gzip"},
	"gzip, deflate, br":       {"gzip", "deflate", "br"},
	"deflate, gzip, br":       {"deflate", "gzip", "br"},
	"gzip, deflate, br, zstd": {"gzip", "deflate", "br", "zstd"},
	"deflate, gzip, br, zstd": {"deflate", "gzip", "br", "zstd"},
}

// negotiateWeighted is negotiateEncoding for any header value: each member
// and its q-value read in turn.
func negotiateWeighted(acceptEncoding string, available []string) string {
	var weight [maxCodings]float64
	var listed [maxCodings]bool
	star, starListed := 0.0, false
	identity := 0.0 // an unnamed identity does not compete with a coding
	for rest := acceptEncoding; rest != ""; {
		var member string
		member, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(member, ";")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		w := memberWeight(params)
		switch {
		case name == "*":
			star, starListed = w, true
		case strings.EqualFold(name, "identity"):
			identity = w
		default:
			if strings.EqualFold(name, "x-gzip") { // RFC 9110 8.4.1.3: the same as gzip
				name = "gzip"
			}
			for i, enc := range available {
				if strings.EqualFold(name, enc) {
					weight[i], listed[i] = w, true
				}
			}
		}
	}
	best, bestQ := "", identity
	for i, enc := range available {
		w, ok := weight[i], listed[i]
		if !ok {
			w, ok = star, starListed
		}
		// Strictly greater: on equal weights the server's order decides,
		// and a weight of 0 is a refusal.
		if ok && w > 0 && (w > bestQ || (best == "" && w == bestQ)) {
			best, bestQ = enc, w
		}
	}
	return best
}

// memberWeight reads the q parameter of one Accept-Encoding member (1 when
// absent; 0, not an acceptance, when malformed).
func memberWeight(params string) float64 {
	weight := 1.0
	for rest := params; rest != ""; {
		var p string
		p, rest, _ = strings.Cut(rest, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, valid := parseQValue(strings.TrimSpace(v))
		if !valid {
			f = 0
		}
		weight = f
	}
	return weight
}

// parseQValue reads a weight as RFC 9110 12.4.2 spells it: 0 to 1 with at
// most three decimals ("0", "0.5", "1", "1.000"). Anything else (exponents,
// hex, "NaN", "-0", "0.12345") is malformed.
func parseQValue(s string) (float64, bool) {
	if s == "" || len(s) > 5 || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	if len(s) > 1 {
		if s[1] != '.' {
			return 0, false
		}
		for _, r := range s[2:] {
			if r < '0' || r > '9' || (s[0] == '1' && r != '0') {
				return 0, false
			}
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "."), 64)
	return f, err == nil
}
