package catalog

import (
	"unsafe"

	"github.com/maypok86/otter/v2"
)

// DefaultOfficeCacheBytes bounds the joined office documents kept ready to
// send: about 160 of the largest offices of the bench data set (100 kB each).
const DefaultOfficeCacheBytes = 16 << 20

// officeCache keeps joined copies of office documents, which the catalog
// holds in parts (see renderOffice). Joining costs a copy of the bytes
// (about 10 µs for 100 kB); keeping every office joined would hold each
// department's bytes a second time, which is what the parts avoid. So the
// offices people read stay joined, bounded by their bytes, and W-TinyLFU
// (as for list pages) keeps one-off reads from evicting them.
//
// An entry is keyed by the office as rendered: a re-rendered office is a
// new value, so a stale body is never served. A new state drops all
// entries, so none keeps an old rendering alive.
type officeCache struct {
	bodies *otter.Cache[*office, []byte]
}

func newOfficeCache(maxBytes int64) *officeCache {
	return &officeCache{bodies: otter.Must(&otter.Options[*office, []byte]{
		MaximumWeight: uint64(max(maxBytes, 1)),
		Weigher: func(_ *office, b []byte) uint32 {
			return uint32(min(entryOverhead+int(unsafe.Sizeof(b))+cap(b), 1<<31))
		},
	})}
}

// doc returns o's document with its body joined.
func (c *officeCache) doc(o *office) Doc {
	d := o.doc
	if b, ok := c.bodies.GetIfPresent(o); ok {
		d.Body = b
		return d
	}
	d.Body = d.body()
	c.bodies.Set(o, d.Body)
	return d
}

func (c *officeCache) dropAll() { c.bodies.InvalidateAll() }

// weight is the cost of what the cache holds now.
func (c *officeCache) weight() uint64 {
	c.bodies.CleanUp()
	return c.bodies.WeightedSize()
}
