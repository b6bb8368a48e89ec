package catalog

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"bureau/models"
)

// Search (q=) matches words, not substrings: text is cut into words of
// letters and digits, each folded (accents removed, case folded), and a
// query word matches every word it is a prefix of. "educ" finds
// "Educación", "washin" finds "Washington Blvd". Every query word must
// match somewhere in the item.
//
// A run of digits joined by phone punctuation ("553-3470", "(773)553-3470",
// "+1.773.553.3470") is one word, its digits: the text side indexes both
// the parts and the joined digits, and every phone number also by its
// E.164 digits and, for North American numbers, by its 10 and last 7
// digits, so a number is found however it is typed.

// Field groups, best first: where a word matched decides the ranking.
const (
	groupName        = iota // name, acronym, slug
	groupSummary            // summary
	groupDescription        // description text and contacts
	groupNone               // no match (used while matching)
)

// maxWordBytes caps a word's length on both sides: a longer query word
// still matches as a prefix of the indexed one.
const maxWordBytes = 48

// foldWord folds one word: accents and other combining marks removed,
// then Unicode case folding. Most text is ASCII and skips the transform.
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		w = asciiLower(w)
	} else {
		t := folders.Get().(transform.Transformer)
		t.Reset()
		if out, _, err := transform.String(t, w); err == nil {
			w = out
		}
		folders.Put(t)
	}
	if len(w) > maxWordBytes {
		w = w[:maxWordBytes]
		for len(w) > 0 && !utf8.ValidString(w) {
			w = w[:len(w)-1]
		}
	}
	return w
}

// folders holds the stateful (so per-goroutine) folding transforms.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFC)
}}

func asciiLower(w string) string {
	for i := 0; i < len(w); i++ {
		if 'A' <= w[i] && w[i] <= 'Z' {
			b := []byte(w)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return w
}

// runeAt decodes the rune at text[i], ASCII without the decoder.
func runeAt(text string, i int) (rune, int) {
	if b := text[i]; b < utf8.RuneSelf {
		return rune(b), 1
	}
	return utf8.DecodeRuneInString(text[i:])
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isPhonePunct(b byte) bool {
	return b == '-' || b == '.' || b == '(' || b == ')' || b == '+' || b == '/'
}

// eachWord calls fn with every folded word of text. A digit run joined by
// phone punctuation is passed as its digits (joined) and, when parts is
// true, also part by part.
func eachWord(text string, parts bool, fn func(word string)) {
	i := 0
	for i < len(text) {
		r, size := runeAt(text, i)
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size = runeAt(text, i)
			if !isWordRune(r) {
				break
			}
			i += size
		}
		word := text[start:i]
		if isDigits(word) {
			if end, joined := digitRun(text, start, i); end > i {
				if parts {
					eachDigitPart(text[start:end], fn)
				}
				fn(joined)
				i = end
				continue
			}
		}
		fn(foldWord(word))
	}
}

// digitRun extends the digit word text[start:end] over phone punctuation
// followed by more digits; it returns where the run ends and its digits.
func digitRun(text string, start, end int) (int, string) {
	i := end
	for {
		j := i
		for j < len(text) && isPhonePunct(text[j]) {
			j++
		}
		if j == i || j >= len(text) || !isASCIIDigit(text[j]) {
			break
		}
		for j < len(text) && isASCIIDigit(text[j]) {
			j++
		}
		i = j
	}
	if i == end {
		return end, ""
	}
	return i, digitsOf(text[start:i])
}

func eachDigitPart(run string, fn func(string)) {
	for part := range strings.FieldsFuncSeq(run, func(r rune) bool { return r > 0x7f || !isASCIIDigit(byte(r)) }) {
		fn(part)
	}
}

func isASCIIDigit(b byte) bool { return '0' <= b && b <= '9' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func digitsOf(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isASCIIDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// queryWords is the words of a q= value, without duplicates, in order.
func queryWords(q string) []string {
	var words []string
	eachWord(q, false, func(w string) {
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	})
	return words
}

// termCollector gathers an item's words with the best group each was
// seen in, then interns them.
type termCollector struct {
	groups map[string]uint8
}

func (tc *termCollector) add(group uint8, texts ...string) {
	for _, text := range texts {
		eachWord(text, true, func(w string) {
			if g, ok := tc.groups[w]; !ok || group < g {
				tc.groups[w] = group
			}
		})
	}
}

func (tc *termCollector) addWord(group uint8, w string) {
	if g, ok := tc.groups[w]; !ok || group < g {
		tc.groups[w] = group
	}
}

// addContacts indexes what a visitor may look a contact up by.
func (tc *termCollector) addContacts(contacts []models.Contact) {
	for _, c := range contacts {
		tc.add(groupDescription, c.Label)
		if a := c.Address; a != nil {
			tc.add(groupDescription, a.Street, a.Street2, a.City, a.PostalCode)
		}
		for _, p := range c.Phones {
			tc.add(groupDescription, p.Number, p.Label)
			for _, d := range phoneDigits(p) {
				tc.addWord(groupDescription, d)
			}
		}
		for _, e := range c.Emails {
			tc.add(groupDescription, e.Address, e.Label)
		}
	}
}

// phoneDigits is the digit strings a phone number can be typed as: its
// E.164 digits and, for a North American number, its 10 digits and the
// last 7 (the local number).
func phoneDigits(p models.Phone) []string {
	e := digitsOf(p.E164)
	out := []string{e, digitsOf(p.Number)}
	if len(e) == 11 && e[0] == '1' {
		out = append(out, e[1:], e[4:])
	}
	return out
}

// terms interns the collected words: each item keeps them as
// termID<<2|group (in no order), 4 bytes per distinct word.
func (tc *termCollector) terms(dict *termDict) []uint32 {
	out := make([]uint32, 0, len(tc.groups))
	dict.mu.Lock()
	for w, g := range tc.groups {
		if w == "" {
			continue
		}
		out = append(out, dict.idLocked(w)<<2|uint32(g))
	}
	dict.mu.Unlock()
	return out
}

func newTermCollector() *termCollector { return &termCollector{groups: make(map[string]uint8, 128)} }

// collectors are the per-goroutine scratch maps of searchTerms.
var collectors = sync.Pool{New: func() any { return newTermCollector() }}

// searchedFields is what an office or a department is found by, read
// back from its public document.
type searchedFields struct {
	Name            string           `json:"name"`
	Acronym         string           `json:"acronym"`
	Slug            string           `json:"slug"`
	Summary         string           `json:"summary"`
	DescriptionText string           `json:"description_text"`
	Contacts        []models.Contact `json:"contacts"`
}

// searchTerms extracts an item's words, each with the best group it was
// found in, and interns them.
func searchTerms(dict *termDict, f *searchedFields) []uint32 {
	tc := collectors.Get().(*termCollector)
	defer collectors.Put(tc)
	clear(tc.groups)
	tc.add(groupName, f.Name, f.Acronym, f.Slug)
	tc.add(groupSummary, f.Summary)
	tc.add(groupDescription, f.DescriptionText)
	tc.addContacts(f.Contacts)
	return tc.terms(dict)
}

// itemTerms is an item's search terms, over the dictionary of the states
// that hold it. They are extracted when a search index is first built over
// the item (see state.searchWords), not when it is loaded: at startup that
// is about a second of CPU that would delay serving. They are read from
// the rendered document, which holds every searched field, so no decoded
// content is kept for them. A copy of the item in a later state (linked to
// a changed office) shares them: its own fields, and so its words, are the
// same.
type itemTerms struct {
	once sync.Once
	ids  []uint32
}

func (t *itemTerms) get(dict *termDict, document func() []byte) []uint32 {
	t.once.Do(func() {
		var doc struct {
			Data searchedFields `json:"data"`
		}
		// The catalog encoded these bytes itself, from these fields, so
		// they always decode (TestTermsFromDocumentsMatchTheContent). Were
		// they ever not to, the item would go unfound by search rather than
		// take down the request or background build that asked.
		if err := decodeJSON(document(), &doc); err == nil {
			t.ids = searchTerms(dict, &doc.Data)
		}
	})
	return t.ids
}

// searchTerms returns the office's terms. Its own fields are the first and
// last of its document's parts: joined, they are its document with no
// departments.
func (o *office) searchTerms(dict *termDict) []uint32 {
	return o.terms.get(dict, func() []byte {
		p := o.doc.parts
		return joinParts([][]byte{p[0], p[len(p)-1]}, len(p[0])+len(p[len(p)-1]))
	})
}

func (d *department) searchTerms(dict *termDict) []uint32 {
	return d.terms.get(dict, func() []byte { return d.doc.Body })
}

// termDict interns folded words to small ids, so items keep 4 bytes per
// word. It only grows (a catalog reload starts a new one); a state keeps
// the slice of words it knew, which later appends never modify.
type termDict struct {
	mu    sync.Mutex
	ids   map[string]uint32
	words []string

	sortMu sync.Mutex
	sorted []uint32 // ids in word order, for the first len(sorted) words
}

func newTermDict() *termDict { return &termDict{ids: map[string]uint32{}} }

func (d *termDict) idLocked(w string) uint32 {
	id, ok := d.ids[w]
	if !ok {
		// A word may be a substring of a whole description: copy it, or
		// the dictionary would keep every description alive.
		w = strings.Clone(w)
		id = uint32(len(d.words))
		d.ids[w] = id
		d.words = append(d.words, w)
	}
	return id
}

// snapshot is the words known now; their ids are their positions.
func (d *termDict) snapshot() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.words[:len(d.words):len(d.words)]
}

// sortedIDs returns the ids of words (a snapshot) in word order, reusing
// the last sort when no word was added since.
func (d *termDict) sortedIDs(words []string) []uint32 {
	d.sortMu.Lock()
	defer d.sortMu.Unlock()
	if len(d.sorted) == len(words) {
		return d.sorted
	}
	ids := make([]uint32, len(words))
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortFunc(ids, func(a, b uint32) int { return strings.Compare(words[a], words[b]) })
	d.sorted = ids
	return ids
}
