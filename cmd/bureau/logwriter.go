package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// bufferedLog batches log lines into few writes: one write system call per
// request line costs the public API a large share of its throughput. Lines
// reach the output within flushEvery, and at Close.
type bufferedLog struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

func newBufferedLog(w io.Writer) *bufferedLog {
	l := &bufferedLog{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go l.flushLoop()
	return l
}

func (l *bufferedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *bufferedLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.buf.Flush()
}

func (l *bufferedLog) flushLoop() {
	defer close(l.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.flush()
		case <-l.stop:
			l.flush()
			return
		}
	}
}

// Close flushes what is buffered and stops the flusher.
func (l *bufferedLog) Close() error {
	close(l.stop)
	<-l.done
	return nil
}
