package handlers

import (
	"strconv"
	"strings"
)

// negotiateEncoding picks the content coding to send from what the client
// accepts (RFC 9110 12.5.3, q-values honoured) among the ones available, in
// the server's order of preference; "" means identity.
func negotiateEncoding(acceptEncoding string, available ...string) string {
	if acceptEncoding == "" {
		return ""
	}
	q := map[string]float64{}
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		weight := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					weight = f
				} else {
					weight = 0 // a malformed weight is not an acceptance
				}
			}
		}
		q[name] = weight
	}
	best, bestQ := "", 0.0
	for _, enc := range available {
		w, listed := q[enc]
		if !listed {
			w, listed = q["*"]
		}
		if listed && w > bestQ {
			best, bestQ = enc, w
		}
	}
	return best
}
