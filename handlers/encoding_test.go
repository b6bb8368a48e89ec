package handlers

import "testing"

func TestNegotiateEncoding(t *testing.T) {
	both := []string{"br", "gzip"}
	for _, tc := range []struct {
		accept    string
		available []string
		want      string
	}{
		{"", both, ""},
		{"   ", both, ""},
		{"br", both, "br"},
		{"gzip", both, "gzip"},
		{"gzip, deflate, br, zstd", both, "br"}, // a browser: the server's preference decides
		{"gzip, br", both, "br"},
		{"identity", both, ""},
		{"deflate", both, ""},
		{"gzip;q=0", both, ""},
		{"gzip;q=0, br", both, "br"},
		{"br;q=0, gzip", both, "gzip"},
		{"br;q=0.5, gzip;q=0.8", both, "gzip"},
		{"br;q=0.8, gzip;q=0.8", both, "br"},
		{"br;q=0.001", both, "br"},
		{"br;q=1.000, gzip", both, "br"},
		{"br;q=1., gzip;q=0.9", both, "br"},
		{"*", both, "br"},
		{"*;q=0", both, ""},
		{"*;q=0, gzip", both, "gzip"},
		{"gzip;q=0, *", both, "br"},
		{"br;q=0, *;q=0.5", both, "gzip"},
		{"identity;q=1, *;q=0", both, ""},
		// Case does not matter, in names or in the parameter.
		{"BR", both, "br"},
		{"GZip;Q=0.5", both, "gzip"},
		{"br;Q=0", []string{"br"}, ""},
		// x-gzip is gzip (RFC 9110 8.4.1.3).
		{"x-gzip", both, "gzip"},
		// Malformed weights are not acceptances.
		{"br;q=high, gzip", both, "gzip"},
		{"br;q=2, gzip;q=0.1", both, "gzip"},
		{"br;q=-1, gzip;q=0.1", both, "gzip"},
		{"br;q=0.5555, gzip;q=0.1", both, "gzip"},
		{"br;q=1.5, gzip;q=0.1", both, "gzip"},
		{"br;q=1e0, gzip;q=0.1", both, "gzip"},
		{"br;q=0x1p-1, gzip;q=0.1", both, "gzip"},
		{"br;q=NaN, gzip;q=0.1", both, "gzip"},
		{"br;q=, gzip;q=0.1", both, "gzip"},
		// Other parameters are ignored; whitespace and empty members too.
		{" br ; foo=bar ; q=0.9 , , gzip;q=0.1", both, "br"},
		{",,,", both, ""},
		// Only what the file has can be chosen.
		{"br", []string{"gzip"}, ""},
		{"br, gzip;q=0.1", []string{"gzip"}, "gzip"},
		{"br, gzip", nil, ""},
	} {
		if got := negotiateEncoding(tc.accept, tc.available...); got != tc.want {
			t.Errorf("negotiateEncoding(%q, %v) = %q, want %q", tc.accept, tc.available, got, tc.want)
		}
	}
}

func TestParseQValue(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  float64
		valid bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"0.", 0, true}, {"1.", 1, true},
		{"0.5", 0.5, true}, {"0.123", 0.123, true}, {"1.000", 1, true},
		{"1.001", 0, false}, {"0.1234", 0, false}, {".5", 0, false}, {"2", 0, false},
		{"01", 0, false}, {"-0", 0, false}, {"0,5", 0, false}, {"", 0, false}, {"1e0", 0, false},
	} {
		got, valid := parseQValue(tc.in)
		if valid != tc.valid || (valid && got != tc.want) {
			t.Errorf("parseQValue(%q) = %v, %v; want %v, %v", tc.in, got, valid, tc.want, tc.valid)
		}
	}
}

// TestCommonAcceptEncodingsAgreeWithTheParse: every value recognised whole
// gets the answer the member-by-member parse gives, whatever the answer
// has available.
func TestCommonAcceptEncodingsAgreeWithTheParse(t *testing.T) {
	sets := [][]string{{"br", "gzip"}, {"gzip", "br"}, {"br"}, {"gzip"}, {"zstd", "gzip"}, {"deflate"}, {"a", "b", "c", "d", "gzip"}, {"BR"}}
	for v := range commonAcceptEncodings {
		for _, available := range sets {
			want := negotiateWeighted(v, available[:min(len(available), maxCodings)])
			if got := negotiateEncoding(v, available...); got != want {
				t.Errorf("%q among %v: %q, the parse says %q", v, available, got, want)
			}
		}
	}
}

func BenchmarkNegotiateEncoding(b *testing.B) {
	for _, v := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8, *;q=0.1"} {
		b.Run(v, func(b *testing.B) {
			for b.Loop() {
				negotiateEncoding(v, "br", "gzip")
			}
		})
	}
}
