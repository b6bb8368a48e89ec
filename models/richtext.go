package models

import (
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

// SanitizeRichText returns the safe HTML form of editor input. It is
// idempotent: sanitizing its own output changes nothing.
func SanitizeRichText(input string) string {
	clean := richTextPolicy.Sanitize(strings.TrimSpace(input))
	return addNoopener(clean)
}

// addNoopener sets rel="noopener" on every link. bluemonday only offers
// noreferrer/nofollow, so the attribute is written here on the parsed tree.
func addNoopener(clean string) string {
	if !strings.Contains(clean, "<a ") {
		return clean
	}
	nodes, err := html.ParseFragment(strings.NewReader(clean), fragmentContext())
	if err != nil {
		return clean
	}
	var b strings.Builder
	for _, n := range nodes {
		walk(n, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "a" {
				attrs := n.Attr[:0]
				for _, a := range n.Attr {
					if a.Key != "rel" {
						attrs = append(attrs, a)
					}
				}
				n.Attr = append(attrs, html.Attribute{Key: "rel", Val: "noopener"})
			}
		})
		_ = html.Render(&b, n)
	}
	return b.String()
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

var blankLines = regexp.MustCompile(`\n{3,}`)
var spaceRuns = regexp.MustCompile(`[ \t]+`)

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
	text := b.String()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(spaceRuns.ReplaceAllString(l, " "))
	}
	return strings.TrimSpace(blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
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

// validURL accepts absolute http(s) URLs with a host.
func validURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}
