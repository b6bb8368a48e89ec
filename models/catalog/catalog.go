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
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"bureau/models"
)

type office struct {
	id string
	// c is the full content while the office is being rendered; then it
	// is trimmed to what sorting and its departments' documents read
	// (slug, name, acronym). A re-render reloads the office first.
	c           models.OfficeContent
	descText    string // while rendering only
	publishedAt time.Time
	updatedAt   time.Time
	terms       *itemTerms // what search finds it by (see search.go)
	doc         Doc
	item        []byte
}

type department struct {
	id string
	// c is trimmed after rendering, like office.c, to office id, slug,
	// name, acronym and position.
	c           models.DepartmentContent
	descText    string
	publishedAt time.Time
	updatedAt   time.Time
	terms       *itemTerms
	office      *office // its published office; nil while that is not public
	doc         Doc
	item        []byte
	// embedded is the department as its office's document shows it: its
	// item without the office reference, as two slices of doc.Body (the
	// second nil when there is no reference).
	embedded [2][]byte
}

func (o *office) trim() {
	o.c = models.OfficeContent{CommonContent: models.CommonContent{Slug: o.c.Slug, Name: o.c.Name, Acronym: o.c.Acronym}}
	o.descText = ""
}

func (d *department) trim() {
	d.c = models.DepartmentContent{OfficeID: d.c.OfficeID, CommonContent: models.CommonContent{Slug: d.c.Slug, Name: d.c.Name, Acronym: d.c.Acronym}, Position: d.c.Position}
	d.descText = ""
}

// detach copies the decoded strings that outlive the rendering (what trim
// keeps; slugs are also map keys): the decoder's strings share one buffer
// with the whole revision, which would otherwise stay alive with them.
func detach(c *models.CommonContent) {
	c.Slug, c.Name, c.Acronym = strings.Clone(c.Slug), strings.Clone(c.Name), strings.Clone(c.Acronym)
}

// state is one immutable view of everything public.
type state struct {
	gen         uint64                 // this state's number, for the list cache
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

	// The search indexes, built on the first search of this state (or in
	// the background just after it is stored).
	dict         *termDict
	wordsOnce    sync.Once
	words        []string // the dictionary once every item has its terms
	officeSearch searchable[*office]
	deptSearch   searchable[*department]
	lists        *listCache
}

// Catalog holds the current state and rebuilds it on change.
type Catalog struct {
	db    *gorm.DB
	log   *slog.Logger
	mu    sync.Mutex // serialises rebuilds
	state atomic.Pointer[state]
	lists *listCache
	// offices keeps the office documents people read joined (see
	// officeCache).
	offices *officeCache
	// dict interns the search words of every item of the current state
	// (their terms are ids into it). Guarded by mu for replacement;
	// interning locks itself.
	dict *termDict
	gen  uint64 // guarded by mu

	inlineCompress int             // see compressLoaded; tests lower it
	compressing    <-chan struct{} // closed once LoadAll's documents are compressed
}

// Option configures a Catalog.
type Option func(*Catalog)

// WithListCacheBytes bounds the cache of built list pages (default
// DefaultListCacheBytes), counting everything an entry holds.
func WithListCacheBytes(n int64) Option {
	return func(c *Catalog) { c.lists = newListCache(n) }
}

// WithOfficeCacheBytes bounds the joined office documents kept (default
// DefaultOfficeCacheBytes).
func WithOfficeCacheBytes(n int64) Option {
	return func(c *Catalog) { c.offices = newOfficeCache(n) }
}

// New returns an empty catalog; call LoadAll before serving.
func New(db *gorm.DB, log *slog.Logger, opts ...Option) *Catalog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Catalog{db: db, log: log, dict: newTermDict(), inlineCompress: inlineCompressBytes}
	for _, opt := range opts {
		opt(c)
	}
	if c.lists == nil {
		c.lists = newListCache(DefaultListCacheBytes)
	}
	if c.offices == nil {
		c.offices = newOfficeCache(DefaultOfficeCacheBytes)
	}
	c.store(map[string]*office{}, map[string]*department{}, nil, nil)
	return c
}

// store builds the next state and makes it current. Called with mu held
// (or before the catalog is shared).
func (c *Catalog) store(offices map[string]*office, departments map[string]*department, dirty map[string]bool, prepare func(*state)) {
	c.gen++
	s := buildState(offices, departments, dirty)
	s.gen, s.dict, s.lists = c.gen, c.dict, c.lists
	if prepare != nil {
		prepare(s) // before anyone can see s
	}
	c.state.Store(s)
	c.lists.dropAll()
	c.offices.dropAll()
	// Build the search indexes off the request path, so the first search
	// after a publication does not wait for them (~100 ms, plus ~1 s of
	// CPU after LoadAll to extract every item's words); a state that a
	// burst of publications replaces at once is skipped. A search that
	// comes sooner builds them or waits for this build (sync.Once).
	go func() {
		time.Sleep(searchPrepareDelay)
		if c.state.Load() == s {
			s.searchOffices()
			s.searchDepartments()
		}
	}()
}

// searchPrepareDelay is how long a new state must stay current before its
// search indexes are built in the background.
const searchPrepareDelay = 50 * time.Millisecond

// LoadAll reads every published document from the database.
func (c *Catalog) LoadAll(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	offices, departments, unrendered, err := loadEverything(ctx, c.db)
	if err != nil {
		return err
	}
	// A new dictionary: words of withdrawn content do not pile up. Every
	// item is new too, so none has terms over the old one.
	c.dict = newTermDict()
	c.store(offices, departments, unrendered, func(s *state) {
		c.compressing = compressLoaded(s, c.log, c.inlineCompress)
	})
	// A full load makes several times the catalog's size in garbage
	// (decoded rows, rendering buffers); hand it back to the system now,
	// or the process keeps the load's peak as its resident size.
	debug.FreeOSMemory()
	return nil
}

// loadEverything reads and decodes every published office and department,
// and renders each department as soon as it is decoded (its office is
// loaded already), so that no more than a few decoded revisions are alive
// at once: holding all 20,000 until buildState rendered them made the
// load's live heap twice the catalog's, and the collector's work with it.
// It returns the ids of what is left to render: the offices.
func loadEverything(ctx context.Context, db *gorm.DB) (map[string]*office, map[string]*department, map[string]bool, error) {
	offices, err := loadOffices(ctx, db, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	arena := &bodyArena{}
	departments, err := loadDepartments(ctx, db, nil, func(d *department) {
		d.office = offices[d.c.OfficeID]
		if d.office != nil {
			renderDepartment(d, arena)
		}
		d.trim()
	})
	if err != nil {
		return nil, nil, nil, err
	}
	unrendered := make(map[string]bool, len(offices))
	for id := range offices {
		unrendered[id] = true
	}
	return offices, departments, unrendered, nil
}

// Refresh applies one change event (see models.ContentEvent): it reloads
// that document and the documents that embed it or that it embeds (its
// office and the office's departments), and re-renders them. Everything
// rendered is read fresh from the database, so the catalog keeps no
// decoded content between changes.
func (c *Catalog) Refresh(ctx context.Context, event string) error {
	kind, id, ok := strings.Cut(event, ":")
	if !ok || event == models.EventAll {
		return c.LoadAll(ctx)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.state.Load()
	offices := maps.Clone(old.offices)
	departments := maps.Clone(old.departments)
	// The offices whose documents change; each is reloaded with all of
	// its departments.
	touched := map[string]bool{}
	reloaded := map[string]bool{}
	switch models.Kind(kind) {
	case models.KindOffice:
		touched[id] = true
	case models.KindDepartment:
		if prev := departments[id]; prev != nil {
			touched[prev.c.OfficeID] = true
		}
		loaded, err := loadDepartments(ctx, c.db, []string{id}, nil)
		if err != nil {
			return err
		}
		replaceLoaded(departments, old.departments, loaded, []string{id}, reloaded)
		for _, v := range loaded {
			touched[v.c.OfficeID] = true
		}
	default:
		return fmt.Errorf("catalog: unknown event %q", event)
	}
	officeIDs := slices.Collect(maps.Keys(touched))
	loadedOffices, err := loadOffices(ctx, c.db, nonNil(officeIDs))
	if err != nil {
		return err
	}
	replaceLoaded(offices, old.offices, loadedOffices, officeIDs, reloaded)
	var depIDs []string
	for depID, d := range departments {
		if touched[d.c.OfficeID] && !reloaded[depID] {
			depIDs = append(depIDs, depID)
		}
	}
	loadedDeps, err := loadDepartments(ctx, c.db, nonNil(depIDs), nil)
	if err != nil {
		return err
	}
	replaceLoaded(departments, old.departments, loadedDeps, depIDs, reloaded)
	c.store(offices, departments, reloaded, func(s *state) {
		// The re-rendered documents are compressed before anyone sees them;
		// only those: right after a LoadAll, the others are still being
		// compressed in the background, and a publication must not wait
		// for the whole directory.
		compressPending(s.pendingDocsOf(reloaded), runtime.GOMAXPROCS(0))
	})
	return nil
}

// nonNil turns "no ids" into an empty list: to the loaders, nil means
// every document.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// replaceLoaded puts the documents reloaded for ids in place of the old
// ones and marks them for rendering. An id missing from loaded is not
// public any more (withdrawn or moved since: its own event follows, and
// the database is the truth now). Each reloaded document gets its previous
// rendering, so that Doc.advance can keep Last-Modified moving forward
// when the bytes change.
func replaceLoaded[T interface{ prevDoc() *Doc }](current, old, loaded map[string]T, ids []string, reloaded map[string]bool) {
	for _, id := range ids {
		delete(current, id)
		reloaded[id] = true
	}
	for id, v := range loaded {
		if prev, ok := old[id]; ok {
			*v.prevDoc() = *prev.prevDoc()
		}
		current[id] = v
	}
}

func (o *office) prevDoc() *Doc     { return &o.doc }
func (d *department) prevDoc() *Doc { return &d.doc }

// buildState links departments to offices, renders what is dirty (all when
// dirty is nil; dirty documents are freshly loaded, with full content) and
// computes the orderings lists page through. A department that is not
// dirty and already linked to its office is taken as it is.
func buildState(offices map[string]*office, departments map[string]*department, dirty map[string]bool) *state {
	s := &state{
		offices:       offices,
		departments:   departments,
		officeBySlug:  make(map[string]*office, len(offices)),
		deptBySlug:    make(map[string]*department, len(departments)),
		deptsOfOffice: make(map[string][]*department, len(offices)),
		builtAt:       time.Now(),
	}
	isDirty := func(id string) bool { return dirty == nil || dirty[id] }
	for _, o := range offices {
		s.officeBySlug[o.c.Slug] = o
		if o.publishedAt.After(s.modified) {
			s.modified = o.publishedAt
		}
	}
	visible := make([]*department, 0, len(departments))
	var render []*department
	for id, d := range departments {
		o := offices[d.c.OfficeID]
		if d.office != o || isDirty(id) {
			// Copy before changing: the old state may still be read.
			cp := *d
			cp.office = o
			d = &cp
			departments[id] = d
			if o != nil {
				render = append(render, d)
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
	inParallel(len(render), func(i int) {
		d := render[i]
		prev := d.doc
		renderDepartment(d, nil)
		d.doc.advance(prev, s.builtAt)
	})
	for id, deps := range s.deptsOfOffice {
		sortDepartments(deps, "position")
		s.deptsOfOffice[id] = deps
	}
	var renderOffices []*office
	for id, o := range offices {
		if isDirty(id) {
			renderOffices = append(renderOffices, o)
		}
	}
	inParallel(len(renderOffices), func(i int) {
		o := renderOffices[i]
		prev := o.doc
		renderOffice(o, s.deptsOfOffice[o.id])
		o.doc.advance(prev, s.builtAt)
	})
	// Rendered: the decoded content is no longer needed.
	for _, d := range render {
		d.trim()
	}
	for id, d := range departments {
		if isDirty(id) {
			d.trim()
		}
	}
	for _, o := range renderOffices {
		o.trim()
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

// inParallel runs fn(0..n-1) on every CPU; fn must only touch item i.
func inParallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
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

// loadChunk bounds the ids bound into one query.
const loadChunk = 500

// eachPublished streams the published documents of kind (all when ids is
// nil) to decode on every CPU, so the raw rows never sit in memory all at
// once (a batch at most). decode must only touch its row.
func eachPublished(ctx context.Context, db *gorm.DB, kind models.Kind, ids []string, decode func(r *publishedRow) error) error {
	if ids != nil && len(ids) == 0 {
		return nil
	}
	rows := make(chan *publishedRow, 256)
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for r := range rows {
				if err := decode(r); err != nil {
					fail(fmt.Errorf("%s %s: %w", kind, r.ID, err))
				}
			}
		})
	}
	err := func() error {
		defer close(rows)
		return eachBatch(ctx, db, kind, ids, scanBatch, func(batch []*publishedRow) {
			for _, r := range batch {
				rows <- r
			}
		})
	}()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("load published %s: %w", kind.Plural(), err)
	}
	return firstErr
}

// scanBatch is how many rows one query of a full load reads. Each batch is
// read whole before it is handed on, so the connection is free while the
// rows are decoded and between queries: on SQLite there is one, and the
// change-event poller (or a request) then waits for one batch, about 50
// ms, rather than for the whole load.
const scanBatch = 2000

// eachBatch reads the published documents of kind (all when ids is nil,
// then size at a time) in batches and passes each to handle.
func eachBatch(ctx context.Context, db *gorm.DB, kind models.Kind, ids []string, size int, handle func([]*publishedRow)) error {
	if ids != nil {
		for chunk := range slices.Chunk(ids, loadChunk) {
			batch, err := readPublished(publishedQuery(ctx, db, kind).Where("d.id IN ?", chunk))
			if err != nil {
				return err
			}
			handle(batch)
		}
		return nil
	}
	// Keyset pagination in the order of the revisions index the join
	// walks anyway (entity_type, entity_id): no sort, no skipped rows.
	after := ""
	for {
		batch, err := readPublished(publishedQuery(ctx, db, kind).Where("r.entity_id > ?", after).Order("r.entity_id").Limit(size))
		if err != nil {
			return err
		}
		handle(batch)
		if len(batch) < size {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

func publishedQuery(ctx context.Context, db *gorm.DB, kind models.Kind) *gorm.DB {
	return db.WithContext(ctx).Table(kind.Plural()+" AS d").
		Select("d.id, d.published_at, r.content, r.created_at").
		Joins("JOIN revisions r ON r.entity_type = ? AND r.entity_id = d.id AND r.number = d.published_revision", kind).
		Where("d.deleted_at IS NULL AND d.published_revision IS NOT NULL")
}

func readPublished(q *gorm.DB) ([]*publishedRow, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var batch []*publishedRow
	for rows.Next() {
		r := new(publishedRow)
		if err := rows.Scan(&r.ID, &r.PublishedAt, &r.Content, &r.CreatedAt); err != nil {
			return nil, err
		}
		batch = append(batch, r)
	}
	return batch, rows.Err()
}

// loadMap decodes the published documents of kind (all when ids is nil)
// into a map by id.
func loadMap[T any](ctx context.Context, db *gorm.DB, kind models.Kind, ids []string, decode func(r *publishedRow) (T, error)) (map[string]T, error) {
	var mu sync.Mutex
	out := make(map[string]T, len(ids))
	err := eachPublished(ctx, db, kind, ids, func(r *publishedRow) error {
		v, err := decode(r)
		if err != nil {
			return err
		}
		mu.Lock()
		out[r.ID] = v
		mu.Unlock()
		return nil
	})
	return out, err
}

// The loaders leave search terms to the search index build (itemTerms):
// extracting them here would delay every startup by about a second.

func loadOffices(ctx context.Context, db *gorm.DB, ids []string) (map[string]*office, error) {
	return loadMap(ctx, db, models.KindOffice, ids, func(r *publishedRow) (*office, error) {
		o := &office{id: r.ID, publishedAt: r.PublishedAt.UTC(), updatedAt: r.CreatedAt.UTC(), terms: new(itemTerms)}
		if err := decodeContent(r.Content, &o.c); err != nil {
			return nil, err
		}
		detach(&o.c.CommonContent)
		o.descText = models.RichTextToPlain(o.c.DescriptionHTML)
		return o, nil
	})
}

// loadDepartments calls then, when not nil, with each department decoded,
// on the decoding goroutine.
func loadDepartments(ctx context.Context, db *gorm.DB, ids []string, then func(*department)) (map[string]*department, error) {
	return loadMap(ctx, db, models.KindDepartment, ids, func(r *publishedRow) (*department, error) {
		d := &department{id: r.ID, publishedAt: r.PublishedAt.UTC(), updatedAt: r.CreatedAt.UTC(), terms: new(itemTerms)}
		if err := decodeContent(r.Content, &d.c); err != nil {
			return nil, err
		}
		detach(&d.c.CommonContent)
		d.c.OfficeID = strings.Clone(d.c.OfficeID)
		d.descText = models.RichTextToPlain(d.c.DescriptionHTML)
		if then != nil {
			then(d)
		}
		return d, nil
	})
}
