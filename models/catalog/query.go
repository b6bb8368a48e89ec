package catalog

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ListQuery is a validated list request (the handlers check the raw query
// string; nothing here trusts it to be anything but well-formed).
type ListQuery struct {
	Limit  int
	Offset int
	Sort   string // a sort field, "-" prefixed for descending; "" for the default
	Q      string // words that must all appear, case-insensitively
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
	return o.doc, true
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
	key := q.key("offices")
	if doc, ok := s.lists.get(key); ok {
		return doc
	}
	field, desc := splitSort(q.Sort, "name")
	order := s.officesBy(field)
	items, total, modified := page(order, desc, q,
		func(o *office) string { return o.search },
		func(o *office) ([]byte, time.Time) { return o.item, o.doc.LastModified })
	doc := newDoc(listBody(items, total, q), pickModified(modified, s.modified))
	s.lists.put(key, doc)
	return doc
}

// ListDepartments returns one page of visible departments.
func (c *Catalog) ListDepartments(q ListQuery) Doc {
	s := c.state.Load()
	key := q.key("departments")
	if doc, ok := s.lists.get(key); ok {
		return doc
	}
	field, desc := splitSort(q.Sort, "office")
	var order []*department
	if q.Office == "" {
		order = s.departmentsBy(field)
	} else if o, ok := s.officeBySlug[q.Office]; ok {
		order = s.deptsOfOffice[o.id] // already in the office's order
		if field != "office" {
			order = append([]*department(nil), order...)
			sortDepartments(order, field)
		}
	}
	items, total, modified := page(order, desc, q,
		func(d *department) string { return d.search },
		func(d *department) ([]byte, time.Time) { return d.item, d.doc.LastModified })
	doc := newDoc(listBody(items, total, q), pickModified(modified, s.modified))
	s.lists.put(key, doc)
	return doc
}

// page collects the items of one page from an ordered list. Without search
// terms it indexes straight into the page, so its cost grows with the page,
// not the table; with terms every entry is matched to count the total.
func page[T any](order []T, desc bool, q ListQuery, search func(T) string, item func(T) ([]byte, time.Time)) (items [][]byte, total int, modified time.Time) {
	terms := searchTerms(q.Q)
	items = make([][]byte, 0, min(q.Limit, len(order)))
	take := func(v T) {
		b, m := item(v)
		items = append(items, b)
		if m.After(modified) {
			modified = m
		}
	}
	if len(terms) == 0 {
		n := len(order)
		for i := q.Offset; i < n && len(items) < q.Limit; i++ {
			if desc {
				take(order[n-1-i])
			} else {
				take(order[i])
			}
		}
		return items, n, modified
	}
	each(len(order), desc, func(i int) {
		v := order[i]
		if !matches(search(v), terms) {
			return
		}
		if total >= q.Offset && len(items) < q.Limit {
			take(v)
		}
		total++
	})
	return items, total, modified
}

// each visits 0..n-1, or n-1..0 when desc.
func each(n int, desc bool, fn func(i int)) {
	if desc {
		for i := n - 1; i >= 0; i-- {
			fn(i)
		}
		return
	}
	for i := 0; i < n; i++ {
		fn(i)
	}
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

func searchTerms(q string) []string {
	return strings.Fields(strings.ToLower(q))
}

func matches(text string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// pickModified is a list's Last-Modified: its newest item, but never
// earlier than the newest change to the directory, since a withdrawn item
// changes a list without any newer publication in it.
func pickModified(page, all time.Time) time.Time {
	if page.After(all) {
		return page
	}
	return all
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

// listCache keeps rendered list pages for one state. It is bounded by
// bytes: when full it starts over, which is cheap and keeps memory flat
// under a crawl of many distinct pages.
type listCache struct {
	mu    sync.RWMutex
	pages map[string]Doc
	bytes int
}

const listCacheBytes = 32 << 20

func newListCache() *listCache { return &listCache{pages: map[string]Doc{}} }

func (c *listCache) get(key string) (Doc, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d, ok := c.pages[key]
	return d, ok
}

func (c *listCache) put(key string, d Doc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+d.Size() > listCacheBytes {
		c.pages = map[string]Doc{}
		c.bytes = 0
	}
	c.pages[key] = d
	c.bytes += d.Size()
}
