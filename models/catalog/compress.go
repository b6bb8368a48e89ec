package catalog

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// When compressed copies are made, and how hard we try.
//
// Measured on the bench machine (2-CPU Xeon VM, bench/README.md) with the
// 100 kB office document and the 68 kB page of 20 departments, pure-Go
// brotli (github.com/andybalholm/brotli) and compress/gzip:
//
//	gzip 1: 19% of the bytes, ~140 MB/s   gzip 6: 16%, ~35 MB/s
//	br 1:   17%,              ~200 MB/s   br 5:   15%, ~25 MB/s
//	br 11:  12-16%, under 1 MB/s (a 14 kB document: 50-100 ms)
//
// Published documents are read far more often than they are made, so they
// get gzip 6 and br 5: 10-15% fewer bytes than the fast levels for every
// reader. Brotli 11 would save a little more but costs seconds per large
// office and minutes for a directory. A list page is built while its first
// reader waits, so it gets the fast levels, one coding at a time when first
// asked for (see newDoc in doc.go).
//
// At startup the 20,000-department directory holds about 130 MB of
// documents: at the document levels that is about 10 s of CPU, far past the
// 1 s startup budget. So LoadAll swaps the catalog in uncompressed (ready
// at once, every answer served as identity, which every client accepts),
// then compresses in the background; each document switches to its
// compressed representations as soon as they are made. A small directory
// (below inlineCompressBytes, the demo content say) is compressed before it
// is swapped in, which costs at most some tens of milliseconds.
type codecLevels struct {
	gzipLevel, brotliLevel int
	gzipPool, brotliPool   sync.Pool
}

var (
	documentLevels = codecLevels{gzipLevel: 6, brotliLevel: 5}
	pageLevels     = codecLevels{gzipLevel: gzip.BestSpeed, brotliLevel: 1}
)

// brotliWindowBits is the brotli window, 2^18 = 256 kB.
const brotliWindowBits = 18

// inlineCompressBytes is how many bytes of documents LoadAll compresses
// before the new state is served (about 30 ms of CPU at the document levels).
const inlineCompressBytes = 1 << 20

// scratch is a reusable output buffer: the compressed copy kept is an
// exact-size clone, so no Doc holds spare capacity.
var scratch = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// compressor is what gzip.Writer and brotli.Writer have in common.
type compressor interface {
	io.WriteCloser
	Reset(io.Writer)
}

func (l *codecLevels) gzip(body []byte) []byte {
	return compressWith(&l.gzipPool, body, func(w io.Writer) compressor {
		// Only an invalid level fails, and the levels are constants.
		z, _ := gzip.NewWriterLevel(w, l.gzipLevel)
		return z
	})
}

func (l *codecLevels) brotli(body []byte) []byte {
	return compressWith(&l.brotliPool, body, func(w io.Writer) compressor {
		// A 256 kB window covers any document or page of 100 whole, so the
		// output is as small as with the default 4 MB one; the default made
		// each pooled writer hold a 4 MB ring buffer.
		return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: l.brotliLevel, LGWin: brotliWindowBits})
	})
}

// compressWith compresses body with a pooled writer (each holds hundreds of
// kilobytes of state, too much to make per document).
func compressWith(pool *sync.Pool, body []byte, newWriter func(io.Writer) compressor) []byte {
	buf := scratch.Get().(*bytes.Buffer)
	defer scratch.Put(buf)
	buf.Reset()
	w, _ := pool.Get().(compressor)
	if w == nil {
		w = newWriter(buf)
	} else {
		w.Reset(buf)
	}
	defer pool.Put(w)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = w.Write(body)
	_ = w.Close()
	return bytes.Clone(buf.Bytes())
}

// pendingDocs lists the documents of s whose compressed copies are not made
// yet, with their total size. It points at them rather than copying each
// Doc (184 bytes, 4 MB for 20,000 departments, held while the background
// pass runs): a stored item's Doc never changes.
func (s *state) pendingDocs() (docs []*Doc, bytes int) {
	for _, o := range s.offices {
		if o.doc.pending() {
			docs = append(docs, &o.doc)
			bytes += o.doc.length()
		}
	}
	for _, d := range s.departments {
		if d.office != nil && d.doc.pending() {
			docs = append(docs, &d.doc)
			bytes += len(d.doc.Body)
		}
	}
	return docs, bytes
}

// pendingDocsOf lists the documents of s among ids whose compressed copies
// are not made yet.
func (s *state) pendingDocsOf(ids map[string]bool) []*Doc {
	var docs []*Doc
	for id := range ids {
		if o := s.offices[id]; o != nil && o.doc.pending() {
			docs = append(docs, &o.doc)
		}
		if d := s.departments[id]; d != nil && d.office != nil && d.doc.pending() {
			docs = append(docs, &d.doc)
		}
	}
	return docs
}

// compressPending compresses docs on workers goroutines; a Doc another pass
// is compressing at the same time is waited for, never compressed twice.
func compressPending(docs []*Doc, workers int) {
	next := make(chan *Doc)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for d := range next {
				d.compress()
			}
		})
	}
	for _, d := range docs {
		next <- d
	}
	close(next)
	wg.Wait()
}

// compressLoaded compresses a freshly loaded state: inline when small,
// otherwise in the background on half the CPUs, so serving keeps the rest.
// The returned channel is closed when every document is compressed.
func compressLoaded(s *state, log *slog.Logger, inlineMax int) <-chan struct{} {
	done := make(chan struct{})
	docs, size := s.pendingDocs()
	if size <= inlineMax {
		compressPending(docs, runtime.GOMAXPROCS(0))
		close(done)
		return done
	}
	go func() {
		defer close(done)
		start := time.Now()
		compressPending(docs, runtime.GOMAXPROCS(0)/2)
		log.Info("catalog: documents compressed", slog.Int("documents", len(docs)),
			slog.Int("bytes", size), slog.Duration("took", time.Since(start)))
	}()
	return done
}
