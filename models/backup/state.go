package backup

import (
	"fmt"
	"strings"

	"bureau/models"
	"bureau/policies"
)

// loadState is what an import remembers of the records read so far, to
// check each new one against them: ids and slugs are unique, references
// point at earlier records, revisions are numbered 1, 2, ... per document.
// It holds keys only, never content, so it stays small beside the file.
type loadState struct {
	line           int // of the record being read
	docs           map[docKey]*docInfo
	slugs          map[string]string // kind + " " + slug -> id: the documents' slugs
	publishedSlugs map[string]bool   // kind + " " + slug
	users          map[string]bool   // by id
	authors        map[string]int    // user id -> the first line of a revision it wrote
	emails         map[string]bool
	grants         map[grantRecord]bool // with ID zero: user, role, scope
	lastGrantID    int64
	droppedGrants  int64 // on scopes no document of the file has
	lastAuditID    int64
}

type docKey struct {
	kind models.Kind
	id   string
}

type docInfo struct {
	line      int // where the document is, for messages about it
	version   int
	revisions int // the highest revision number read so far
	// What its draft and public revisions must agree with.
	slug              string
	publishedSlug     string
	publishedRevision int    // 0: not public
	officeID          string // departments
}

func newLoadState() *loadState {
	return &loadState{
		docs:           map[docKey]*docInfo{},
		slugs:          map[string]string{},
		publishedSlugs: map[string]bool{},
		users:          map[string]bool{},
		authors:        map[string]int{},
		emails:         map[string]bool{},
		grants:         map[grantRecord]bool{},
	}
}

func (st *loadState) hasDocument(kind models.Kind, id string) bool {
	_, ok := st.docs[docKey{kind, id}]
	return ok
}

func (st *loadState) addDocument(kind models.Kind, d *DocumentRecord) error {
	key := docKey{kind, d.ID}
	if st.docs[key] != nil {
		return recordError(string(kind), d.ID, "appears twice")
	}
	slug := string(kind) + " " + d.Slug
	if _, taken := st.slugs[slug]; taken {
		return recordError(string(kind), d.ID, "slug %q is already used by another %s", d.Slug, kind)
	}
	if d.PublishedSlug != nil {
		published := string(kind) + " " + *d.PublishedSlug
		if st.publishedSlugs[published] {
			return recordError(string(kind), d.ID, "published_slug %q is already public for another %s", *d.PublishedSlug, kind)
		}
		st.publishedSlugs[published] = true
	}
	st.slugs[slug] = d.ID
	info := &docInfo{line: st.line, version: d.Version, slug: d.Slug}
	if d.PublishedRevision != nil {
		info.publishedRevision, info.publishedSlug = *d.PublishedRevision, *d.PublishedSlug
	}
	st.docs[key] = info
	return nil
}

// addRevision takes revision number of a document: the numbers of one
// document must come in order, from 1, with none missing. The public API
// serves slugs from revision content and keeps them unique through the
// rows' slug and published_slug columns, so the draft's content must carry
// the row's slug and the public revision's content its published_slug;
// a department's revisions name an office of the file, the draft the
// row's office.
func (st *loadState) addRevision(kind models.Kind, id string, number int, content revisionContent) error {
	name := string(kind) + " " + id + " #" + itoa(number)
	doc := st.docs[docKey{kind, id}]
	if doc == nil {
		return recordError("revision", name, "its %s is not in this file", kind)
	}
	if number != doc.revisions+1 {
		return recordError("revision", name, "expected revision number %d of this %s", doc.revisions+1, kind)
	}
	if number > doc.version {
		return recordError("revision", name, "the %s's version is %d: its draft is revision %d", kind, doc.version, doc.version)
	}
	if number == doc.version && content.slug != doc.slug {
		return recordError("revision", name, "content.slug %q of the draft is not the %s's slug %q", content.slug, kind, doc.slug)
	}
	if number == doc.publishedRevision && content.slug != doc.publishedSlug {
		return recordError("revision", name, "content.slug %q of the published revision is not the %s's published_slug %q", content.slug, kind, doc.publishedSlug)
	}
	if kind == models.KindDepartment {
		if !st.hasDocument(models.KindOffice, content.officeID) {
			return recordError("revision", name, "content.office_id %q is not an office of this file", content.officeID)
		}
		if number == doc.version && content.officeID != doc.officeID {
			return recordError("revision", name, "content.office_id %q of the draft is not the department's office_id %q", content.officeID, doc.officeID)
		}
	}
	doc.revisions = number
	return nil
}

// referToAuthor notes that a revision names a user as its author. Users
// come after revisions in the file; checkAuthors checks them once read.
func (st *loadState) referToAuthor(id string) {
	if _, seen := st.authors[id]; !seen {
		st.authors[id] = st.line
	}
}

// checkAuthors: every author is a user of the file (users are never
// deleted, so a backup holds every author). It names the first line that
// refers to a missing one.
func (st *loadState) checkAuthors() error {
	line, missing := 0, ""
	for id, at := range st.authors {
		if !st.users[id] && (line == 0 || at < line) {
			line, missing = at, id
		}
	}
	if line == 0 {
		return nil
	}
	return &FileError{Line: line, Err: fmt.Errorf("revision: author_id %q is not a user of this file", missing)}
}

// checkRevisionsComplete: every document has all its revisions, up to its
// draft. It names the first document in the file that lacks some.
func (st *loadState) checkRevisionsComplete() error {
	var worst *docInfo
	var worstKey docKey
	for key, doc := range st.docs {
		if doc.revisions != doc.version && (worst == nil || doc.line < worst.line) {
			worst, worstKey = doc, key
		}
	}
	if worst == nil {
		return nil
	}
	return &FileError{Line: worst.line, Err: recordError(string(worstKey.kind), worstKey.id,
		"version is %d but the file holds %d of its revisions", worst.version, worst.revisions)}
}

func (st *loadState) addUser(id, email string) error {
	if st.users[id] {
		return recordError("user", id, "appears twice")
	}
	if st.emails[email] {
		return recordError("user", id, "email %q is already used by another user", email)
	}
	st.users[id], st.emails[email] = true, true
	return nil
}

func (st *loadState) addGrant(g *grantRecord) error {
	id := itoa(int(g.ID))
	if g.ID <= st.lastGrantID {
		return recordError("grant", id, "ids must increase through the file (previous: %d)", st.lastGrantID)
	}
	if !st.users[g.UserID] {
		return recordError("grant", id, "user_id %q is not a user of this file", g.UserID)
	}
	key := grantRecord{UserID: g.UserID, Role: g.Role, Scope: g.Scope}
	if st.grants[key] {
		return recordError("grant", id, "the user holds role %s in scope %s twice", g.Role, g.Scope)
	}
	st.grants[key] = true
	if g.Scope == policies.ScopeAll {
		g.kind = models.GrantKindAll
	} else if kind, slug, _ := strings.Cut(g.Scope, ":"); st.slugs[kind+" "+slug] != "" {
		g.kind, g.documentID = kind, st.slugs[kind+" "+slug]
	} else {
		st.droppedGrants++
	}
	st.lastGrantID = g.ID
	return nil
}

func (st *loadState) addAuditEvent(id int64) error {
	if id <= st.lastAuditID {
		return recordError("audit event", fmt.Sprint(id), "ids must increase through the file (previous: %d)", st.lastAuditID)
	}
	st.lastAuditID = id
	return nil
}
