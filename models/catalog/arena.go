package catalog

import "sync"

// bodyArena hands out exact-size byte slices cut from large chunks, for the
// department documents of a full load. Allocated one by one, each 2-5 kB
// body is rounded up to the allocator's next size class, about 13 MB of
// padding over the 68 MB of a 20,000-department directory; cut from chunks,
// under 1%.
//
// A chunk stays alive while any body cut from it does, so a department
// re-rendered since the load leaves its old bytes in place until the rest of
// its chunk goes too. That can never exceed the load's own size, and a
// publication re-renders only one office's departments; the next full load
// (a restart) starts afresh. Refreshes allocate as usual (nil arena).
type bodyArena struct {
	mu    sync.Mutex
	chunk []byte
}

const arenaChunk = 256 << 10

// alloc returns an empty slice with capacity n; capacity beyond n is never
// handed out twice, since the slice's cap is cut to n.
func (a *bodyArena) alloc(n int) []byte {
	if a == nil || n > arenaChunk/8 {
		return make([]byte, 0, n)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.chunk) < n {
		a.chunk = make([]byte, arenaChunk)
	}
	b := a.chunk[:0:n]
	a.chunk = a.chunk[n:]
	return b
}
