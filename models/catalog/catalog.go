// Package catalog is the public read model: the published offices and
// departments, rendered to JSON once when they change and served from memory,
// so a public GET never queries the database.
//
// The catalog is copy-on-write: readers load an immutable state through an
// atomic pointer and never lock; a change builds a new state (re-rendering
// only the documents it touches) and swaps it in.
package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"bureau/models"
)

type office struct {
	id          string
	c           models.OfficeContent
	descText    string
	publishedAt time.Time
	updatedAt   time.Time
	search      string // lower-cased searchable text
	doc         Doc
	item        []byte
}

type department struct {
	id          string
	c           models.DepartmentContent
	descText    string
	publishedAt time.Time
	updatedAt   time.Time
	search      string
	office      *office // its published office; nil while that is not public
	doc         Doc
	item        []byte
}

// state is one immutable view of everything public.
type state struct {
	offices     map[string]*office     // by id, published
	departments map[string]*department // by id, published (visible or not)

	officeBySlug  map[string]*office
	deptBySlug    map[string]*department   // visible only
	deptsOfOffice map[string][]*department // visible, by position
	allOffices    []*office                // in no order
	visible       []*department            // visible departments, in no order

	// Sorted copies of allOffices and visible, made on first use: sorting
	// 20,000 departments six ways on every publication would make
	// publishing slow on a large directory, and most orders are rarely read.
	orderMu     sync.Mutex
	officeOrder map[string][]*office     // by sort field, ascending
	deptOrder   map[string][]*department // by sort field, ascending
	modified    time.Time                // newest publication
	builtAt     time.Time                // when this state was made

	lists *listCache
}

// Catalog holds the current state and rebuilds it on change.
type Catalog struct {
	db    *gorm.DB
	log   *slog.Logger
	mu    sync.Mutex // serialises rebuilds
	state atomic.Pointer[state]

	inlineCompress int             // see compressLoaded; tests lower it
	compressing    <-chan struct{} // closed once LoadAll's documents are compressed
}

// New returns an empty catalog; call LoadAll before serving.
func New(db *gorm.DB, log *slog.Logger) *Catalog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Catalog{db: db, log: log, inlineCompress: inlineCompressBytes}
	c.state.Store(buildState(map[string]*office{}, map[string]*department{}, nil))
	return c
}

// LoadAll reads every published document from the database.
func (c *Catalog) LoadAll(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	offices, err := loadOffices(ctx, c.db, "")
	if err != nil {
		return err
	}
	departments, err := loadDepartments(ctx, c.db, "")
	if err != nil {
		return err
	}
	s := buildState(offices, departments, nil)
	c.compressing = compressLoaded(s, c.log, c.inlineCompress)
	c.state.Store(s)
	return nil
}

// Refresh applies one change event (see models.ContentEvent): it reloads
// that document and re-renders the documents that embed it.
func (c *Catalog) Refresh(ctx context.Context, event string) error {
	kind, id, ok := strings.Cut(event, ":")
	if !ok || event == models.EventAll {
		return c.LoadAll(ctx)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.state.Load()
	offices := make(map[string]*office, len(old.offices))
	for k, v := range old.offices {
		offices[k] = v
	}
	departments := make(map[string]*department, len(old.departments))
	for k, v := range old.departments {
		departments[k] = v
	}
	// Documents whose rendering must be redone: all others keep their bytes.
	dirty := map[string]bool{}
	switch models.Kind(kind) {
	case models.KindOffice:
		loaded, err := loadOffices(ctx, c.db, id)
		if err != nil {
			return err
		}
		delete(offices, id)
		for k, v := range loaded {
			offices[k] = v
		}
		dirty[id] = true
		for depID, d := range departments {
			if d.c.OfficeID == id {
				dirty[depID] = true
			}
		}
	case models.KindDepartment:
		if prev := departments[id]; prev != nil {
			dirty[prev.c.OfficeID] = true
		}
		loaded, err := loadDepartments(ctx, c.db, id)
		if err != nil {
			return err
		}
		delete(departments, id)
		for k, v := range loaded {
			departments[k] = v
			dirty[v.c.OfficeID] = true
		}
		dirty[id] = true
	default:
		return fmt.Errorf("catalog: unknown event %q", event)
	}
	s := buildState(offices, departments, dirty)
	// The re-rendered documents are compressed before anyone sees them.
	docs, _ := s.pendingDocs()
	compressPending(docs, runtime.GOMAXPROCS(0))
	c.state.Store(s)
	return nil
}

// buildState links departments to offices, renders what is dirty (all when
// dirty is nil) and computes the orderings lists page through.
func buildState(offices map[string]*office, departments map[string]*department, dirty map[string]bool) *state {
	s := &state{
		offices:       offices,
		departments:   departments,
		officeBySlug:  make(map[string]*office, len(offices)),
		deptBySlug:    make(map[string]*department, len(departments)),
		deptsOfOffice: make(map[string][]*department, len(offices)),
		lists:         newListCache(),
		builtAt:       time.Now(),
	}
	// An office to re-render is copied first: the old state, which readers
	// may still hold, shares the unchanged offices and must never see one
	// rewritten. Its departments then link to the copy and re-render too.
	for id, o := range offices {
		if dirty != nil && dirty[id] {
			cp := *o
			offices[id] = &cp
		}
	}
	for _, o := range offices {
		s.officeBySlug[o.c.Slug] = o
		if o.publishedAt.After(s.modified) {
			s.modified = o.publishedAt
		}
	}
	visible := make([]*department, 0, len(departments))
	for id, d := range departments {
		o := offices[d.c.OfficeID]
		if d.office != o || dirty == nil || dirty[id] {
			// Copy before changing: the old state may still be read.
			cp := *d
			cp.office = o
			d = &cp
			departments[id] = d
			if o != nil {
				prev := d.doc
				renderDepartment(d)
				d.doc.advance(prev, s.builtAt)
			}
		}
		if o == nil {
			continue
		}
		visible = append(visible, d)
		s.deptBySlug[d.c.Slug] = d
		s.deptsOfOffice[o.id] = append(s.deptsOfOffice[o.id], d)
		if d.publishedAt.After(s.modified) {
			s.modified = d.publishedAt
		}
	}
	for id, deps := range s.deptsOfOffice {
		sortDepartments(deps, "position")
		s.deptsOfOffice[id] = deps
	}
	for id, o := range offices {
		if dirty == nil || dirty[id] {
			prev := o.doc
			renderOffice(o, s.deptsOfOffice[id])
			o.doc.advance(prev, s.builtAt)
		}
	}
	s.allOffices = make([]*office, 0, len(offices))
	for _, o := range offices {
		s.allOffices = append(s.allOffices, o)
	}
	s.visible = visible
	s.officeOrder = map[string][]*office{}
	s.deptOrder = map[string][]*department{}
	return s
}

// officesBy returns the published offices sorted by field.
func (s *state) officesBy(field string) []*office {
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	list, ok := s.officeOrder[field]
	if !ok {
		list = append([]*office(nil), s.allOffices...)
		sortOffices(list, field)
		s.officeOrder[field] = list
	}
	return list
}

// departmentsBy returns the visible departments sorted by field.
func (s *state) departmentsBy(field string) []*department {
	s.orderMu.Lock()
	defer s.orderMu.Unlock()
	list, ok := s.deptOrder[field]
	if !ok {
		list = append([]*department(nil), s.visible...)
		sortDepartments(list, field)
		s.deptOrder[field] = list
	}
	return list
}

var officeSortFields = []string{"name", "slug", "acronym", "published_at", "updated_at"}
var departmentSortFields = []string{"office", "name", "slug", "acronym", "published_at", "updated_at"}

func sortOffices(list []*office, field string) {
	sort.SliceStable(list, func(i, j int) bool {
		return less(field, list[i].keys(), list[j].keys())
	})
}

// sortDepartments orders by field; "office" is the editors' order: by
// office name, then position within the office.
func sortDepartments(list []*department, field string) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		switch field {
		case "office":
			if a.office.c.Name != b.office.c.Name {
				return a.office.c.Name < b.office.c.Name
			}
			if a.office.c.Slug != b.office.c.Slug {
				return a.office.c.Slug < b.office.c.Slug
			}
			if a.c.Position != b.c.Position {
				return a.c.Position < b.c.Position
			}
		case "position":
			if a.c.Position != b.c.Position {
				return a.c.Position < b.c.Position
			}
		}
		return less(field, a.keys(), b.keys())
	})
}

// sortKeys are the fields offices and departments both sort by.
type sortKeys struct {
	name, slug, acronym    string
	publishedAt, updatedAt time.Time
}

func (o *office) keys() sortKeys {
	return sortKeys{o.c.Name, o.c.Slug, o.c.Acronym, o.publishedAt, o.updatedAt}
}

func (d *department) keys() sortKeys {
	return sortKeys{d.c.Name, d.c.Slug, d.c.Acronym, d.publishedAt, d.updatedAt}
}

// less orders by field, then by name and slug so every order is total.
func less(field string, a, b sortKeys) bool {
	switch field {
	case "slug":
		return a.slug < b.slug
	case "acronym":
		if a.acronym != b.acronym {
			return a.acronym < b.acronym
		}
	case "published_at":
		if !a.publishedAt.Equal(b.publishedAt) {
			return a.publishedAt.Before(b.publishedAt)
		}
	case "updated_at":
		if !a.updatedAt.Equal(b.updatedAt) {
			return a.updatedAt.Before(b.updatedAt)
		}
	}
	if a.name != b.name {
		return a.name < b.name
	}
	return a.slug < b.slug
}

// publishedRow is one published document joined with its revision.
type publishedRow struct {
	ID          string
	PublishedAt time.Time
	Content     string
	CreatedAt   time.Time // of the published revision: when its content last changed
}

func loadPublished(ctx context.Context, db *gorm.DB, kind models.Kind, id string) ([]publishedRow, error) {
	table := kind.Plural()
	q := db.WithContext(ctx).Table(table+" AS d").
		Select("d.id, d.published_at, r.content, r.created_at").
		Joins("JOIN revisions r ON r.entity_type = ? AND r.entity_id = d.id AND r.number = d.published_revision", kind).
		Where("d.deleted_at IS NULL AND d.published_revision IS NOT NULL")
	if id != "" {
		q = q.Where("d.id = ?", id)
	}
	var rows []publishedRow
	err := q.Scan(&rows).Error
	return rows, err
}

func loadOffices(ctx context.Context, db *gorm.DB, id string) (map[string]*office, error) {
	rows, err := loadPublished(ctx, db, models.KindOffice, id)
	if err != nil {
		return nil, fmt.Errorf("load published offices: %w", err)
	}
	out := make(map[string]*office, len(rows))
	for _, r := range rows {
		o := &office{id: r.ID, publishedAt: r.PublishedAt.UTC(), updatedAt: r.CreatedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Content), &o.c); err != nil {
			return nil, fmt.Errorf("office %s: %w", r.ID, err)
		}
		o.descText = models.RichTextToPlain(o.c.DescriptionHTML)
		o.search = strings.ToLower(strings.Join([]string{o.c.Name, o.c.Acronym, o.c.Slug, o.c.Summary, o.descText}, "\n"))
		out[o.id] = o
	}
	return out, nil
}

func loadDepartments(ctx context.Context, db *gorm.DB, id string) (map[string]*department, error) {
	rows, err := loadPublished(ctx, db, models.KindDepartment, id)
	if err != nil {
		return nil, fmt.Errorf("load published departments: %w", err)
	}
	out := make(map[string]*department, len(rows))
	for _, r := range rows {
		d := &department{id: r.ID, publishedAt: r.PublishedAt.UTC(), updatedAt: r.CreatedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Content), &d.c); err != nil {
			return nil, fmt.Errorf("department %s: %w", r.ID, err)
		}
		d.descText = models.RichTextToPlain(d.c.DescriptionHTML)
		d.search = strings.ToLower(strings.Join([]string{d.c.Name, d.c.Acronym, d.c.Slug, d.c.Summary, d.descText}, "\n"))
		out[d.id] = d
	}
	return out, nil
}
