package catalog

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// searchIndex is an inverted index over one state's items, built on the
// first search of that state: the words in sorted order, each with the
// items ("slots", positions in the editors' order) it appears in. The
// words a query word is a prefix of are a contiguous run, and so are
// their postings, so matching one query word is one pass over a slice.
type searchIndex struct {
	words    []string // sorted
	starts   []uint32 // postings of words[i]: postings[starts[i]:starts[i+1]]
	postings []uint32 // slot<<2 | group
	slots    int

	// Each slot's own terms over the dictionary, to check a few
	// candidates directly rather than scan a word's long postings.
	items     [][]uint32
	dictWords []string
}

// newSearchIndex indexes items, given in slot order as their terms
// (termID<<2|group) over dictionary words.
func newSearchIndex(dict *termDict, words []string, items [][]uint32) *searchIndex {
	order := dict.sortedIDs(words)
	rank := make([]uint32, len(words))
	for r, id := range order {
		rank[id] = uint32(r)
	}
	starts := make([]uint32, len(words)+1)
	for _, terms := range items {
		for _, t := range terms {
			starts[rank[t>>2]+1]++
		}
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	fill := slices.Clone(starts[:len(words)])
	postings := make([]uint32, starts[len(words)])
	for slot, terms := range items {
		for _, t := range terms {
			r := rank[t>>2]
			postings[fill[r]] = uint32(slot)<<2 | t&3
			fill[r]++
		}
	}
	sortedWords := make([]string, len(words))
	for r, id := range order {
		sortedWords[r] = words[id]
	}
	return &searchIndex{words: sortedWords, starts: starts, postings: postings, slots: len(items), items: items, dictWords: words}
}

// prefixed returns the postings of every word that starts with w.
func (ix *searchIndex) prefixed(w string) []uint32 {
	lo := sort.SearchStrings(ix.words, w)
	hi := lo + sort.Search(len(ix.words)-lo, func(i int) bool { return !strings.HasPrefix(ix.words[lo+i], w) })
	return ix.postings[ix.starts[lo]:ix.starts[hi]]
}

// bestGroup is the best group in which slot has a word starting with w.
func (ix *searchIndex) bestGroup(slot int32, w string) uint8 {
	g := uint8(groupNone)
	for _, t := range ix.items[slot] {
		if uint8(t&3) < g && strings.HasPrefix(ix.dictWords[t>>2], w) {
			g = uint8(t & 3)
		}
	}
	return g
}

// matchScratch is the per-query working memory, pooled: a search must
// not allocate in proportion to the catalog.
type matchScratch struct {
	cur   []uint8  // best group of the current word, per slot
	rank  []uint16 // per slot: best group<<8 | sum of groups; noMatch if some word missed
	cands []int32  // slots matching every word so far
}

const noMatch = ^uint16(0)

var scratchPool = sync.Pool{New: func() any { return new(matchScratch) }}

// match scores every slot against the query words (each must be the
// prefix of some word of the item). The result, per slot, is noMatch or a
// rank key: lower is better, by the best field group any word matched in,
// then by the sum of each word's best group. Call release when done.
//
// The rarest word goes first; each next word either scans its postings or,
// when fewer candidates are left than that would visit, checks the
// candidates' own words, so a one-letter word beside a rare one ("5380 S.
// Campbell") costs little.
func (ix *searchIndex) match(words []string) *matchScratch {
	m := scratchPool.Get().(*matchScratch)
	m.cur = slices.Grow(m.cur[:0], ix.slots)[:ix.slots]
	m.rank = slices.Grow(m.rank[:0], ix.slots)[:ix.slots]
	if len(words) == 0 {
		for i := range m.rank {
			m.rank[i] = groupNone << 8
		}
		return m
	}
	for i := range m.rank {
		m.rank[i] = noMatch
	}
	type wordPostings struct {
		word     string
		postings []uint32
	}
	ws := make([]wordPostings, len(words))
	for i, w := range words {
		ws[i] = wordPostings{w, ix.prefixed(w)}
	}
	slices.SortFunc(ws, func(a, b wordPostings) int { return len(a.postings) - len(b.postings) })
	termsPerSlot := len(ix.postings)/max(ix.slots, 1) + 1

	m.scatter(ws[0].postings)
	m.cands = m.cands[:0]
	for slot, g := range m.cur {
		if g != groupNone {
			m.cands = append(m.cands, int32(slot))
			m.rank[slot] = uint16(g)<<8 | uint16(g)
		}
	}
	for _, w := range ws[1:] {
		direct := len(m.cands)*termsPerSlot < len(w.postings)
		if !direct {
			m.scatter(w.postings)
		}
		kept := m.cands[:0]
		for _, slot := range m.cands {
			var g uint8
			if direct {
				g = ix.bestGroup(slot, w.word)
			} else {
				g = m.cur[slot]
			}
			if g == groupNone {
				m.rank[slot] = noMatch
				continue
			}
			r := m.rank[slot]
			m.rank[slot] = min(uint16(g), r>>8)<<8 | min(r&0xff+uint16(g), 0xfe)
			kept = append(kept, slot)
		}
		m.cands = kept
	}
	return m
}

// scatter sets cur to each slot's best group among postings.
func (m *matchScratch) scatter(postings []uint32) {
	for i := range m.cur {
		m.cur[i] = groupNone
	}
	for _, p := range postings {
		if g := uint8(p & 3); g < m.cur[p>>2] {
			m.cur[p>>2] = g
		}
	}
}

func (m *matchScratch) release() { scratchPool.Put(m) }

// rankedSlots collects the matching slots visit yields and, when ranked,
// orders them by rank key with a counting sort, stable so that ties keep
// the visiting order (the editors' order).
func rankedSlots(m *matchScratch, visit func(yield func(slot int32) bool), ranked bool) []int32 {
	var hits []int32
	for slot := range visit {
		hits = append(hits, slot)
	}
	if !ranked || len(hits) < 2 {
		return hits
	}
	var starts [1 << 10]int32
	for _, slot := range hits {
		starts[m.rank[slot]+1]++
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	out := make([]int32, len(hits))
	for _, slot := range hits {
		k := m.rank[slot]
		out[starts[k]] = slot
		starts[k]++
	}
	return out
}

// searchable is one state's search over offices or departments: the
// index over its items in the editors' order (slot order), built on first
// use, and the slot orders of the other sorts, made as they are asked for.
type searchable[T comparable] struct {
	once  sync.Once
	items []T
	ix    *searchIndex

	permMu sync.Mutex
	perms  map[string][]int32 // sort field -> slots in that order
}

func (sv *searchable[T]) build(s *state, editorsOrder func() []T, terms func(T) []uint32) *searchable[T] {
	sv.once.Do(func() {
		words := s.searchWords()
		sv.items = editorsOrder()
		all := make([][]uint32, len(sv.items))
		for i, it := range sv.items {
			all[i] = terms(it)
		}
		sv.ix = newSearchIndex(s.dict, words, all)
		sv.perms = map[string][]int32{}
	})
	return sv
}

// search returns one page of the items matching q.Q and how many match.
// Without a sort the matches are ranked (see match); with one they come
// in its order. keep, when not nil, filters (the office= filter).
func (sv *searchable[T]) search(q ListQuery, field string, desc bool, sorted func() []T, keep func(T) bool) ([]T, int) {
	m := sv.ix.match(queryWords(q.Q))
	defer m.release()
	slots := sv.slotOrder(q.Sort, field, sorted)
	n := len(sv.items)
	visit := func(yield func(int32) bool) {
		for i := range n {
			if desc {
				i = n - 1 - i
			}
			slot := int32(i)
			if slots != nil {
				slot = slots[i]
			}
			if m.rank[slot] != noMatch && (keep == nil || keep(sv.items[slot])) && !yield(slot) {
				return
			}
		}
	}
	hits := rankedSlots(m, visit, q.Sort == "")
	var page []T
	for i := q.Offset; i < len(hits) && len(page) < q.Limit; i++ {
		page = append(page, sv.items[hits[i]])
	}
	return page, len(hits)
}

// slotOrder is the slots in the order of the sort field; nil for the
// editors' order (no sort), which is slot order itself.
func (sv *searchable[T]) slotOrder(sortParam, field string, sorted func() []T) []int32 {
	if sortParam == "" {
		return nil
	}
	sv.permMu.Lock()
	defer sv.permMu.Unlock()
	if p, ok := sv.perms[field]; ok {
		return p
	}
	slotOf := make(map[T]int32, len(sv.items))
	for i, it := range sv.items {
		slotOf[it] = int32(i)
	}
	list := sorted()
	p := make([]int32, len(list))
	for i, it := range list {
		p[i] = slotOf[it]
	}
	sv.perms[field] = p
	return p
}
