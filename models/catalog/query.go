package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
)

// ListQuery is a validated list request (the handlers check the raw query
// string; nothing here trusts it to be anything but well-formed).
type ListQuery struct {
	Limit  int
	Offset int
	Sort   string // a sort field, "-" prefixed for descending; "" for the default
	Q      string // search words (see search.go); "" for none
	Office string // departments only: the office slug
}

func (q ListQuery) key(kind string) string {
	return kind + "\x00" + strconv.Itoa(q.Limit) + "\x00" + strconv.Itoa(q.Offset) + "\x00" + q.Sort + "\x00" + q.Q + "\x00" + q.Office
}

// OfficeSortFields and DepartmentSortFields are the accepted sort values
// (each may be prefixed with "-").
func OfficeSortFields() []string     { return append([]string(nil), officeSortFields...) }
func DepartmentSortFields() []string { return append([]string(nil), departmentSortFields...) }

// Office returns the public document of a published office.
func (c *Catalog) Office(slug string) (Doc, bool) {
	o, ok := c.state.Load().officeBySlug[slug]
	if !ok {
		return Doc{}, false
	}
	return c.offices.doc(o), true
}

// Department returns the public document of a visible department.
func (c *Catalog) Department(slug string) (Doc, bool) {
	d, ok := c.state.Load().deptBySlug[slug]
	if !ok {
		return Doc{}, false
	}
	return d.doc, true
}

// Counts reports how many offices and departments are public.
func (c *Catalog) Counts() (offices, departments int) {
	s := c.state.Load()
	return len(s.officeBySlug), len(s.deptBySlug)
}

// ListOffices returns one page of published offices.
func (c *Catalog) ListOffices(q ListQuery) Doc {
	s := c.state.Load()
	key := listKey{s.gen, q.key("offices")}
	if doc, ok := s.lists.get(key); ok {
		return doc
	}
	doc := s.officeList(q)
	s.lists.put(key, doc)
	return doc
}

// ListDepartments returns one page of visible departments.
func (c *Catalog) ListDepartments(q ListQuery) Doc {
	s := c.state.Load()
	key := listKey{s.gen, q.key("departments")}
	if doc, ok := s.lists.get(key); ok {
		return doc
	}
	doc := s.departmentList(q)
	s.lists.put(key, doc)
	return doc
}

// officeList builds a page of offices (no cache).
func (s *state) officeList(q ListQuery) Doc {
	field, desc := splitSort(q.Sort, "name")
	var items []*office
	var total int
	if q.Q != "" {
		items, total = s.searchOffices().search(q, field, desc, func() []*office { return s.officesBy(field) }, nil)
	} else {
		items, total = pageOf(s.officesBy(field), desc, q)
	}
	return listDoc(items, total, q, s.modified, func(o *office) ([]byte, *Doc) { return o.item, &o.doc })
}

// departmentList builds a page of departments (no cache).
func (s *state) departmentList(q ListQuery) Doc {
	field, desc := splitSort(q.Sort, "office")
	var inOffice func(*department) bool
	var order []*department
	if q.Office != "" {
		if o, ok := s.officeBySlug[q.Office]; ok {
			inOffice = func(d *department) bool { return d.office == o }
			order = s.deptsOfOffice[o.id] // already in the office's order
			if field != "office" {
				order = append([]*department(nil), order...)
				sortDepartments(order, field)
			}
		} else {
			inOffice = func(*department) bool { return false }
		}
	} else {
		order = s.departmentsBy(field)
	}
	var items []*department
	var total int
	if q.Q != "" {
		items, total = s.searchDepartments().search(q, field, desc, func() []*department { return s.departmentsBy(field) }, inOffice)
	} else {
		items, total = pageOf(order, desc, q)
	}
	return listDoc(items, total, q, s.modified, func(d *department) ([]byte, *Doc) { return d.item, &d.doc })
}

// searchOffices and searchDepartments return the state's search, building
// its index on first use; slots follow the editors' order.
func (s *state) searchOffices() *searchable[*office] {
	return s.officeSearch.build(s, func() []*office { return s.officesBy("name") }, func(o *office) []uint32 { return o.searchTerms(s.dict) })
}

func (s *state) searchDepartments() *searchable[*department] {
	return s.deptSearch.build(s, func() []*department { return s.departmentsBy("office") }, func(d *department) []uint32 { return d.searchTerms(s.dict) })
}

// searchWords makes sure every searchable item of s has its terms (on
// every CPU: after a LoadAll that is every item) and returns the
// dictionary as it then is, which both indexes share.
func (s *state) searchWords() []string {
	s.wordsOnce.Do(func() {
		inParallel(len(s.visible), func(i int) { s.visible[i].searchTerms(s.dict) })
		inParallel(len(s.allOffices), func(i int) { s.allOffices[i].searchTerms(s.dict) })
		s.words = s.dict.snapshot()
	})
	return s.words
}

// pageOf indexes straight into an ordered list, so a page costs what the
// page holds, not the table.
func pageOf[T any](order []T, desc bool, q ListQuery) ([]T, int) {
	n := len(order)
	items := make([]T, 0, min(q.Limit, max(n-q.Offset, 0)))
	for i := q.Offset; i < n && len(items) < q.Limit; i++ {
		if desc {
			items = append(items, order[n-1-i])
		} else {
			items = append(items, order[i])
		}
	}
	return items, n
}

// listDoc renders a page. Its ETag is derived from the items' own ETags
// and the page's meta, which determine the body, rather than hashed over
// the whole body; its Last-Modified is the newest item's, but never
// earlier than the newest change to the directory, since a withdrawn item
// changes a list without any newer publication in it.
func listDoc[T any](items []T, total int, q ListQuery, stateModified time.Time, of func(T) ([]byte, *Doc)) Doc {
	bodies := make([][]byte, len(items))
	h := sha256.New()
	var meta [3 * binary.MaxVarintLen64]byte
	n := binary.PutUvarint(meta[:], uint64(total))
	n += binary.PutUvarint(meta[n:], uint64(q.Limit))
	n += binary.PutUvarint(meta[n:], uint64(q.Offset))
	h.Write(meta[:n])
	modified := stateModified
	for i, it := range items {
		body, doc := of(it)
		bodies[i] = body
		h.Write([]byte(doc.ETag))
		if doc.LastModified.After(modified) {
			modified = doc.LastModified
		}
	}
	return newDocTagged(listBody(bodies, total, q), etagOf(h.Sum(nil)), modified)
}

func splitSort(s, def string) (field string, desc bool) {
	if s == "" {
		return def, false
	}
	if strings.HasPrefix(s, "-") {
		return s[1:], true
	}
	return s, false
}

func listBody(items [][]byte, total int, q ListQuery) []byte {
	size := 64
	for _, it := range items {
		size += len(it) + 1
	}
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(`{"data":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString(`],"meta":{"total":`)
	b.WriteString(strconv.Itoa(total))
	b.WriteString(`,"limit":`)
	b.WriteString(strconv.Itoa(q.Limit))
	b.WriteString(`,"offset":`)
	b.WriteString(strconv.Itoa(q.Offset))
	b.WriteString(`}}`)
	return b.Bytes()
}
