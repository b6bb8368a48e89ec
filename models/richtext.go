package models

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// richTextPolicy allows the small vocabulary editors need (paragraphs,
// h2-h4, bold, italic, links, lists, blockquote) and nothing else.
// Links may only use http, https or mailto and always get rel="noopener".
var richTextPolicy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "ul", "ol", "li", "blockquote")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(false)
	return p
}()

// maxNesting is how deeply rich text may nest elements. Real descriptions
// stay under ten (a list in a quote in a list); thousands of nested tags
// are an attack on every renderer downstream.
const maxNesting = 32

// SanitizeRichText returns the safe HTML form of editor input: only the
// allowed vocabulary, every element closed, links with rel="noopener". It
// is idempotent: sanitizing its own output changes nothing. It fails when
// elements nest deeper than maxNesting.
func SanitizeRichText(input string) (string, error) {
	clean := richTextPolicy.Sanitize(strings.TrimSpace(input))
	if clean == "" {
		return "", nil
	}
	// bluemonday filters tags but leaves them as unbalanced as they came:
	// "<h2>unclosed <b>bold" would run on into whatever page embeds it.
	// Parsing builds the tree an HTML5 parser sees; rendering it back
	// closes every element.
	tooDeep := fmt.Errorf("must not nest elements more than %d deep", maxNesting)
	nodes, err := html.ParseFragment(strings.NewReader(clean), fragmentContext())
	if err != nil {
		return "", tooDeep // the parser's only failure: more than 512 open elements
	}
	var b strings.Builder
	for _, n := range nodes {
		if depth(n) > maxNesting {
			return "", tooDeep
		}
		walk(n, addNoopener)
		if err := html.Render(&b, n); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// addNoopener sets rel="noopener" on a link. bluemonday only offers
// noreferrer/nofollow, so the attribute is written here on the parsed tree.
func addNoopener(n *html.Node) {
	if n.Type != html.ElementNode || n.Data != "a" {
		return
	}
	attrs := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Key != "rel" {
			attrs = append(attrs, a)
		}
	}
	n.Attr = append(attrs, html.Attribute{Key: "rel", Val: "noopener"})
}

// depth is how many elements deep the tree under n goes, n included.
func depth(n *html.Node) int {
	deepest := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		deepest = max(deepest, depth(c))
	}
	if n.Type == html.ElementNode {
		deepest++
	}
	return deepest
}

// fragmentContext is the <div> rich text is parsed inside. ParseFragment
// refuses a context whose DataAtom does not match its Data.
func fragmentContext() *html.Node {
	return &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// RichTextToPlain renders sanitized HTML as plain text: block elements become
// paragraphs separated by a blank line, list items get "- ", links keep only
// their text.
func RichTextToPlain(safeHTML string) string {
	if safeHTML == "" {
		return ""
	}
	nodes, err := html.ParseFragment(strings.NewReader(safeHTML), fragmentContext())
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, n := range nodes {
		writePlain(&b, n)
	}
	return tidyPlain(b.String())
}

// tidyPlain trims every line, collapses runs of spaces and tabs within it
// to one space, and keeps at most one blank line between lines, none at
// either end. One pass by hand: the catalog converts every description at
// startup, where two regular expressions per line took most of the time.
func tidyPlain(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	blank := false
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = true
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		blank = false
		for i := 0; i < len(line); i++ {
			if c := line[i]; c != ' ' && c != '\t' {
				b.WriteByte(c)
				continue
			}
			for i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t') {
				i++
			}
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func writePlain(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(strings.ReplaceAll(n.Data, "\n", " "))
		return
	case html.ElementNode:
		switch n.Data {
		case "br":
			b.WriteString("\n")
			return
		case "li":
			b.WriteString("\n- ")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writePlain(b, c)
	}
	if n.Type == html.ElementNode {
		switch n.Data {
		case "p", "h2", "h3", "h4", "blockquote", "ul", "ol":
			b.WriteString("\n\n")
		}
	}
}

// hostPattern is a DNS name, an IPv4 address or a bracketed IPv6 address,
// with an optional port: nothing that could end an attribute or a tag.
var hostPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$`)

// normalizeURL returns the canonical form of an absolute http(s) URL with a
// host: lower-case scheme and host, and path, query and fragment
// percent-encoded wherever RFC 3986 does not allow a character as is.
func normalizeURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	u.Host = strings.ToLower(u.Host)
	if !hostPattern.MatchString(u.Host) {
		return "", false
	}
	// url.URL re-escapes the path and the fragment when it writes them,
	// but keeps the raw query as sent.
	u.RawQuery = escapeQuery(u.RawQuery)
	return u.String(), true
}

// escapeQuery percent-encodes the bytes a query may not hold literally
// (RFC 3986 section 3.4), keeping existing escapes and separators.
func escapeQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c == '%' && i+2 < len(q) && isHex(q[i+1]) && isHex(q[i+2]) || queryChar(c) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func queryChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
