package catalog

import (
	"unsafe"

	"github.com/maypok86/otter/v2"
)

// DefaultListCacheBytes bounds the cache of built list pages.
const DefaultListCacheBytes = 32 << 20

// listCache keeps built list pages, bounded by what each entry really
// holds (its key, the Doc with its bodies and header values, and the
// cache's own bookkeeping), not only by body bytes: a flood of distinct
// q= queries with tiny answers must not grow memory past the cap.
//
// It is W-TinyLFU (otter): a new page enters a small window and joins the
// main cache only if it is asked for more often than what it would evict,
// so one-off queries do not push out the pages people read again.
//
// One cache serves every state of the catalog; a key carries the state's
// generation, so a page built from an older state is never served for a
// newer one, and a new state drops the old pages at once.
type listCache struct {
	pages *otter.Cache[listKey, Doc]
}

type listKey struct {
	gen   uint64
	query string
}

// entryOverhead is what otter and Go's map spend per entry beyond the
// key and value (node, hash table slot, policy pointers), rounded up.
const entryOverhead = 160

func newListCache(maxBytes int64) *listCache {
	return &listCache{pages: otter.Must(&otter.Options[listKey, Doc]{
		MaximumWeight: uint64(max(maxBytes, 1)),
		Weigher:       func(k listKey, d Doc) uint32 { return uint32(min(entryCost(k, d), 1<<31)) },
	})}
}

func (c *listCache) get(k listKey) (Doc, bool) { return c.pages.GetIfPresent(k) }

func (c *listCache) put(k listKey, d Doc) { c.pages.Set(k, d) }

// dropAll forgets every page (a new state makes them all stale).
func (c *listCache) dropAll() { c.pages.InvalidateAll() }

// weight is the cost of what the cache holds now.
func (c *listCache) weight() uint64 {
	c.pages.CleanUp()
	return c.pages.WeightedSize()
}

// entryCost counts every byte a cached page keeps alive: the key and the
// cache's own bookkeeping, and what the Doc holds (Doc.Size).
func entryCost(k listKey, d Doc) int {
	return entryOverhead + int(unsafe.Sizeof(k)) + len(k.query) + d.Size()
}
