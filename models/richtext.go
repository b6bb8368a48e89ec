package models

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
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
	if text, ok := plainFromRendered(safeHTML); ok {
		return tidyPlain(text)
	}
	return plainFromTree(safeHTML)
}

// plainFromTree is RichTextToPlain by the book: the tree an HTML5 parser
// builds, walked. It is the answer for every input plainFromRendered turns down.
func plainFromTree(safeHTML string) string {
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

// plainFromRendered writes what writePlain writes for the parsed tree,
// reading the markup directly: the catalog converts every description at
// startup and parsing took most of that time. It only answers (ok) for
// markup as html.Render writes the vocabulary of SanitizeRichText, where
// each token reads one way (see scanTag and scanReference), and only when
// the tree is sure to nest exactly as the tags do: every end tag closes the
// element opened last, no start tag is one the parser takes as closing an
// open element (a block in a <p>, an <li> in an <li>, an <a> in an <a>, a
// heading right in a heading), nothing is left open. Descriptions as
// editors write them, once sanitized, are all of that; anything else is the
// parser's to restructure.
func plainFromRendered(safeHTML string) (string, bool) {
	var b strings.Builder
	b.Grow(len(safeHTML))
	var open openElements
	for s := safeHTML; s != ""; {
		switch s[0] {
		case '<':
			tag, end, n := scanTag(s)
			if n == 0 {
				return "", false
			}
			s = s[n:]
			switch {
			case tag == atom.Br && !end:
				b.WriteString(plainOpening(tag.String()))
			case end && open.pop(tag):
				b.WriteString(plainClosing(tag.String()))
			case !end && open.push(tag):
				b.WriteString(plainOpening(tag.String()))
			default:
				return "", false
			}
		case '&':
			text, n := scanReference(s)
			if n == 0 {
				return "", false
			}
			b.WriteString(text)
			s = s[n:]
		case '\n':
			b.WriteByte(' ') // as writePlain does in a text node
			s = s[1:]
		case '\r', 0:
			// The tokenizer turns a carriage return into a newline, the
			// parser drops NUL: neither is in rendered text.
			return "", false
		default:
			n := plainTextRun(s)
			b.WriteString(s[:n])
			s = s[n:]
		}
	}
	return b.String(), open.n == 0
}

// plainTextRun is how many bytes at the start of s are text the tokenizer
// and the parser pass through as they are.
func plainTextRun(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '&', '\n', '\r', 0:
			return i
		}
	}
	return len(s)
}

// scanTag reads the tag s starts with if it has a form html.Render writes:
// <name>, </name>, <br/>, or <a> with attributes, each a space, a lower-case
// name and a double-quoted value. The tokenizer reads each of those as that
// one tag; n is 0 for anything else. Tags are the parser's atoms (0 for a
// name outside the HTML standard).
func scanTag(s string) (tag atom.Atom, end bool, n int) {
	i := 1
	if len(s) > 1 && s[1] == '/' {
		end, i = true, 2
	}
	start := i
	for i < len(s) && ('a' <= s[i] && s[i] <= 'z' || '1' <= s[i] && s[i] <= '6') {
		i++
	}
	tag = atom.Lookup([]byte(s[start:i]))
	switch {
	case tag == 0:
		return 0, false, 0
	case tag == atom.A && !end:
		i = skipAttributes(s, i)
	case tag == atom.Br && !end && strings.HasPrefix(s[i:], "/"):
		i++
	}
	if i == 0 || i >= len(s) || s[i] != '>' {
		return 0, false, 0
	}
	return tag, end, i + 1
}

// skipAttributes returns where the attributes starting at s[i] end, or 0 if
// they are not all ` name="value"`.
func skipAttributes(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
		start := i
		for i < len(s) && 'a' <= s[i] && s[i] <= 'z' {
			i++
		}
		if i == start || !strings.HasPrefix(s[i:], `="`) {
			return 0
		}
		closing := strings.IndexByte(s[i+2:], '"')
		if closing < 0 {
			return 0
		}
		i += 2 + closing + 1
	}
	return i
}

// renderedReferences are the character references html.Render writes in
// text, with the text they stand for.
var renderedReferences = [...]struct{ ref, text string }{
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#34;", `"`}, {"&#39;", "'"}, {"&#13;", "\r"},
}

// scanReference reads the character reference s starts with if it is one
// html.Render writes; n is 0 for anything else.
func scanReference(s string) (text string, n int) {
	for _, r := range renderedReferences {
		if strings.HasPrefix(s, r.ref) {
			return r.text, len(r.ref)
		}
	}
	return "", 0
}

// openElements is the stack of elements plainFromRendered has open, which is
// the parser's stack of open elements as long as plainFromRendered goes on.
// Deeper than maxNesting is never sanitized output.
type openElements struct {
	tags [maxNesting]atom.Atom
	n    int
}

// push opens tag if the parser would insert it as a child of the current
// element and close nothing (the "in body" insertion mode of the HTML
// standard, section 13.2.6.4.7).
func (o *openElements) push(tag atom.Atom) bool {
	if o.n == len(o.tags) || !o.nestsAsWritten(tag) {
		return false
	}
	o.tags[o.n] = tag
	o.n++
	return true
}

// nestsAsWritten reports whether a start tag for tag would make the parser
// close none of the open elements. Tags outside the vocabulary are left to
// the parser.
func (o *openElements) nestsAsWritten(tag atom.Atom) bool {
	switch tag {
	case atom.B, atom.Strong, atom.Em, atom.I:
		// The parser reopens ("reconstructs") formatting elements only
		// after one was closed out of order, which pop refuses.
		return true
	case atom.A:
		return !o.contains(atom.A)
	case atom.P, atom.Blockquote, atom.Ul, atom.Ol:
		return !o.contains(atom.P)
	case atom.H2, atom.H3, atom.H4:
		return !o.contains(atom.P) && !o.topIs(atom.H2, atom.H3, atom.H4)
	case atom.Li:
		return !o.contains(atom.P) && !o.listItemIsCurrent()
	}
	return false
}

// pop closes tag if it is the current element: an end tag for anything else
// makes the parser close, ignore or invent elements.
func (o *openElements) pop(tag atom.Atom) bool {
	if o.n == 0 || o.tags[o.n-1] != tag {
		return false
	}
	o.n--
	return true
}

func (o *openElements) contains(tag atom.Atom) bool {
	for _, t := range o.tags[:o.n] {
		if t == tag {
			return true
		}
	}
	return false
}

func (o *openElements) topIs(tags ...atom.Atom) bool {
	return o.n > 0 && slices.Contains(tags, o.tags[o.n-1])
}

// listItemIsCurrent reports whether an <li> start tag would close an open
// list item: the parser looks down the stack past formatting elements and
// stops at the first other element of the vocabulary.
func (o *openElements) listItemIsCurrent() bool {
	for i := o.n - 1; i >= 0; i-- {
		switch o.tags[i] {
		case atom.Li:
			return true
		case atom.B, atom.Strong, atom.Em, atom.I, atom.A:
			continue
		}
		return false
	}
	return false
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
		b.WriteString(plainOpening(n.Data))
		if n.Data == "br" {
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writePlain(b, c)
	}
	if n.Type == html.ElementNode {
		b.WriteString(plainClosing(n.Data))
	}
}

// plainOpening is what an element writes to plain text before its content.
func plainOpening(tag string) string {
	switch tag {
	case "br":
		return "\n"
	case "li":
		return "\n- "
	}
	return ""
}

// plainClosing is what an element writes to plain text after its content:
// blocks end their paragraph.
func plainClosing(tag string) string {
	switch tag {
	case "p", "h2", "h3", "h4", "blockquote", "ul", "ol":
		return "\n\n"
	}
	return ""
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
