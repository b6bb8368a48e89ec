package handlers

import (
	"strconv"
	"strings"
)

// negotiateEncoding picks the content coding to send from what the client
// accepts (RFC 9110 12.5.3, q-values honoured) among the ones available, in
// the server's order of preference; "" means identity. Identity is always
// the fallback: even a client that refuses it ("identity;q=0", "*;q=0") gets
// a readable answer rather than a 406 it cannot do anything with.
func negotiateEncoding(acceptEncoding string, available ...string) string {
	if strings.TrimSpace(acceptEncoding) == "" {
		return ""
	}
	q := map[string]float64{}
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if name == "x-gzip" { // RFC 9110 8.4.1.3: the same as gzip
			name = "gzip"
		}
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			f, valid := parseQValue(strings.TrimSpace(v))
			if !valid {
				f = 0 // a malformed weight is not an acceptance
			}
			weight = f
		}
		q[name] = weight
	}
	best, bestQ := "", 0.0
	for _, enc := range available {
		w, listed := q[enc]
		if !listed {
			w, listed = q["*"]
		}
		// Strictly greater: on equal weights the server's order decides.
		if listed && w > bestQ {
			best, bestQ = enc, w
		}
	}
	return best
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
