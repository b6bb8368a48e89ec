package models

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The tests here hold plainFromRendered, the fast path of RichTextToPlain,
// to the tree-based plainFromTree on every input: same text, byte for byte.

// seedWords are words of the kind bench/seed writes its descriptions with.
var seedWords = strings.Fields(`students schools families support learning programs district community
	services college career success partners postsecondary readiness academic supports engagement
	equitable resources educators teachers principals access opportunities outcomes wellbeing`)

// seedLikeDescription is rich text shaped like bench/seed's descriptions of
// about n characters: a paragraph, a two-item list, a paragraph with bold
// text and a link, then one-sentence paragraphs.
func seedLikeDescription(r *rand.Rand, n int) string {
	sentence := func() string {
		w := make([]string, 6+r.IntN(10))
		for i := range w {
			w[i] = seedWords[r.IntN(len(seedWords))]
		}
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
		return strings.Join(w, " ") + "."
	}
	var intro strings.Builder
	for intro.Len() < n/3-20 {
		intro.WriteString(sentence() + " ")
	}
	var b strings.Builder
	b.WriteString("<p>" + strings.TrimSpace(intro.String()) + "</p>")
	b.WriteString("<ul><li>" + sentence() + "</li><li>" + sentence() + "</li></ul>")
	b.WriteString(`<p><strong>` + sentence() + `</strong> See <a href="https://www.example.org/x">the program page</a>.</p>`)
	for b.Len() < n-40 {
		b.WriteString("<p>" + sentence() + "</p>")
	}
	return b.String()
}

// demoDescriptions are the descriptions SeedDemo stores.
func demoDescriptions() []string {
	descs := []string{demoOffice().DescriptionHTML}
	for _, d := range demoDepartments() {
		descs = append(descs, "<p>"+d.text+"</p>")
	}
	return descs
}

// The descriptions Bureau actually stores must take the fast path, or the
// catalog is as slow as before, and must come out as the tree has them.
func TestStoredDescriptionsTakeTheFastPath(t *testing.T) {
	descs := demoDescriptions()
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		descs = append(descs, seedLikeDescription(r, 100+r.IntN(1500)))
	}
	for _, raw := range descs {
		safe, err := SanitizeRichText(raw)
		if err != nil {
			t.Fatalf("SanitizeRichText(%q): %v", raw, err)
		}
		for _, in := range []string{raw, safe} {
			text, ok := plainFromRendered(in)
			if !ok {
				t.Fatalf("plainFromRendered refuses %q", in)
			}
			if got, want := tidyPlain(text), plainFromTree(in); got != want {
				t.Fatalf("input %q:\n fast %q\n tree %q", in, got, want)
			}
		}
	}
}

// The fast path must leave every input the parser restructures, or reads
// in a way scanTag and scanReference do not, to the tree, and take the
// rendered vocabulary nested as the parser nests it.
func TestFastPathTakesOnlyWhatNestsAsWritten(t *testing.T) {
	tests := []struct {
		name, html string
		fast       bool
	}{
		{"paragraph in a paragraph", "<p>a<p>b</p></p>c", false},
		{"list in a paragraph", "<p>a<ul><li>b</li></ul></p>c", false},
		{"quote in a paragraph", "<p>a<blockquote>b</blockquote></p>c", false},
		{"heading in a paragraph", "<p>a<h2>b</h2></p>c", false},
		{"list item in a paragraph", "<p>a<li>b</li></p>c", false},
		{"list item in a list item", "<ul><li>a<li>b</li></li></ul>", false},
		{"list item in bold in a list item", "<ul><li><b>a<li>b</li></b></li></ul>", false},
		{"link in a link", `<a href="x">a<a href="y">b</a></a>`, false},
		{"heading right in a heading", "<h2>a<h3>b</h3></h2>c", false},
		{"left open", "<p>a<b>b", false},
		{"closed out of order", "<p><b>a</p>b</b>c", false},
		{"stray paragraph end", "a</p>b", false},
		{"stray list item end", "a</li>b", false},
		{"line break end tag", "a</br>b", false},
		{"self-closing paragraph", "<p/>a<p>b</p>", false},
		{"unknown element", "<span>a</span><p>b</p>", false},
		{"table", "<table> <tr><td>a</td></tr> </table>b", false},
		{"comment", "a<!-- c -->b", false},
		{"upper-case tag", "<P>a</P>b", false},
		{"attribute on a paragraph", `<p class="x">a</p>b`, false},
		{"single-quoted attribute", `<a href='x'>a</a>`, false},
		{"named reference Render does not write", "a&nbsp;b", false},
		{"carriage return", "a\r\nb", false},
		{"NUL", "<p>a\x00b</p>", false},
		{"deeper than maxNesting", strings.Repeat("<b>", maxNesting+1) + "x" + strings.Repeat("</b>", maxNesting+1), false},
		{"deeper than the parser goes", strings.Repeat("<b>", 600), false},
		{"paragraphs", "<p>a</p><p>b</p>", true},
		{"line break", "<p>a<br>b<br/>c</p>", true},
		{"paragraph in a list item", "<ul><li><p>a</p></li></ul>", true},
		{"nested lists", "<ul><li>a<ol><li>b</li></ol></li></ul>", true},
		{"list in bold in a list item", "<li><b><ul><li>a</li></ul></b></li>", true},
		{"list item outside a list", "<li>a</li>b", true},
		{"paragraph in a quote", "<blockquote><p>a</p></blockquote>", true},
		{"heading in bold in a heading", "<h2><b><h3>a</h3></b></h2>", true},
		{"link with attributes", `<p><a href="https://x.org/?a=1&amp;b=2" rel="noopener">a</a></p>`, true},
		{"references Render writes", "<p>&amp;&lt;&gt;&#34;&#39;&#13;</p>", true},
		{"bold at Noah's Ark depth", strings.Repeat("<b>", 5) + "x" + strings.Repeat("</b>", 5), true},
		{"newlines and tabs", "<p>a\n\tb</p>\n<p>c</p>", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fast := checkPlainMatchesTree(t, tt.html); fast != tt.fast {
				t.Errorf("plainFromRendered(%q) answers: %v, want %v", tt.html, fast, tt.fast)
			}
		})
	}
}

// richTextPieces are what random inputs are made of: the vocabulary as
// html.Render writes it, the same in other spellings, other elements
// (among them those that change how the parser or the tokenizer goes on),
// character references, whitespace and stray markup.
var richTextPieces = []string{
	"<p>", "</p>", "<br>", "<br/>", "</br>", "<h2>", "</h2>", "<h3>", "</h3>", "<h4>", "</h4>",
	"<strong>", "</strong>", "<b>", "</b>", "<em>", "</em>", "<i>", "</i>", "<ul>", "</ul>",
	"<ol>", "</ol>", "<li>", "</li>", "<blockquote>", "</blockquote>", "<a>", "</a>",
	`<a href="https://x.org/?a=1&amp;b=2" rel="noopener">`, `<a href="mailto:a@b.org">`,
	`<a href="x>y">`, `<a href='x'>`, `<a href=x>`, `<a href="x"rel="y">`, `<a HREF="x">`,
	`<a href="x" >`, `<a href="x"/>`, `<a  href="x">`, `<a href="x`, "<P>", "</P >", "<p class=\"x\">",
	"<p/>", "<b/>", "<li/>", "<h1>", "</h1>", "<h5>", "</h6>", "<span>", "</span>", "<div>", "</div>",
	"<table>", "<tr>", "<td>", "</table>", "<pre>", "</pre>", "<textarea>", "<title>", "<script>",
	"<style>", "<xmp>", "<noscript>", "<plaintext>", "<svg>", "</svg>", "<math>", "<select>", "<option>",
	"<dd>", "<hr>", "<img src=x>", "<button>", "</button>", "<template>", "</template>", "<html>",
	"</html>", "<body>", "</body>", "<head>", "<frameset>", "<marquee>", "<nobr>", "<u>", "</u>",
	"<!-- note -->", "<!doctype html>", "<?x?>", "</ >", "<", ">", "< b", "<3", "</", "<p", "</p",
	"&amp;", "&lt;", "&gt;", "&#34;", "&#39;", "&#13;", "&#10;", "&#0;", "&nbsp;", "&quot;", "&amp",
	"&#x27;", "&notit;", "&", "&#", "\"", "'", " ", "  ", "\t", "\n", "\r\n", "\r", "\f", "\v", "\x00",
	"é", "\u00a0", "\ufeff", "\u2003", "\xff", "word", "Two words", "a.b",
}

// randomRichText strings pieces together: a flat run of any pieces, or
// well-nested vocabulary with a few pieces thrown in, which the fast path
// accepts more often.
func randomRichText(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(3) == 0 {
		for range r.IntN(30) {
			b.WriteString(richTextPieces[r.IntN(len(richTextPieces))])
		}
		return b.String()
	}
	writeNested(&b, r, 0)
	return b.String()
}

var nestable = []string{"p", "h2", "h3", "h4", "strong", "b", "em", "i", "ul", "ol", "li", "blockquote", "a"}

func writeNested(b *strings.Builder, r *rand.Rand, depth int) {
	for range r.IntN(5) {
		switch k := r.IntN(10); {
		case k == 0:
			b.WriteString(richTextPieces[r.IntN(len(richTextPieces))])
		case k < 4 && depth < 6:
			tag := nestable[r.IntN(len(nestable))]
			b.WriteString("<" + tag + ">")
			writeNested(b, r, depth+1)
			b.WriteString("</" + tag + ">")
		case k < 5:
			b.WriteString([]string{"<br/>", "\n", " ", "&amp;", "&#39;", "  \t"}[r.IntN(6)])
		default:
			b.WriteString(seedWords[r.IntN(len(seedWords))] + " ")
		}
	}
}

// checkPlainMatchesTree fails t unless RichTextToPlain, the fast path
// included, gives in the text the tree gives. It reports whether the fast
// path answered.
func checkPlainMatchesTree(t *testing.T, in string) bool {
	t.Helper()
	if got, want := RichTextToPlain(in), plainFromTree(in); got != want {
		t.Fatalf("RichTextToPlain(%q):\n got  %q\n tree %q", in, got, want)
	}
	_, fast := plainFromRendered(in)
	return fast
}

func TestRandomRichTextMatchesTheTree(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var raw, rawFast, sanitized, sanitizedFast int
	for range 20000 {
		in := randomRichText(r)
		raw++
		if checkPlainMatchesTree(t, in) {
			rawFast++
		}
		safe, err := SanitizeRichText(in)
		if err != nil {
			continue
		}
		sanitized++
		if checkPlainMatchesTree(t, safe) {
			sanitizedFast++
		}
	}
	t.Logf("fast path: %d of %d raw inputs, %d of %d sanitized", rawFast, raw, sanitizedFast, sanitized)
	// Without inputs it takes, the comparison would hold the fast path to
	// nothing.
	if rawFast < raw/4 || sanitizedFast < sanitized*9/10 {
		t.Errorf("fast path took too few inputs: %d of %d raw, %d of %d sanitized", rawFast, raw, sanitizedFast, sanitized)
	}
}

func FuzzRichTextToPlain(f *testing.F) {
	for _, d := range demoDescriptions() {
		f.Add(d)
	}
	r := rand.New(rand.NewPCG(8, 9))
	f.Add(seedLikeDescription(r, 600))
	for range 50 {
		f.Add(randomRichText(r))
	}
	for _, p := range richTextPieces {
		f.Add("<p>a" + p + "b</p>")
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkPlainMatchesTree(t, in)
		if safe, err := SanitizeRichText(in); err == nil {
			checkPlainMatchesTree(t, safe)
		}
	})
}

func BenchmarkRichTextToPlain(b *testing.B) {
	desc := seedLikeDescription(rand.New(rand.NewPCG(7, 7)), 600)
	// The tree is what RichTextToPlain did for every description before
	// the fast path: the figure to compare with.
	for _, path := range []struct {
		name    string
		convert func(string) string
	}{{"fast", RichTextToPlain}, {"tree", plainFromTree}} {
		b.Run(path.name, func(b *testing.B) {
			b.SetBytes(int64(len(desc)))
			b.ReportAllocs()
			for b.Loop() {
				path.convert(desc)
			}
		})
	}
}
