package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBufferedLogFlushesOnTimeAndClose(t *testing.T) {
	var out safeBuffer
	l := newBufferedLog(&out)
	_, _ = l.Write([]byte("first\n"))
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), "first") {
		if time.Now().After(deadline) {
			t.Fatal("a buffered line was not flushed in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				_, _ = l.Write([]byte("line\n"))
			}
		}()
	}
	wg.Wait()
	_ = l.Close()
	if n := bytes.Count([]byte(out.String()), []byte("line\n")); n != 800 {
		t.Fatalf("%d of 800 lines written after Close", n)
	}
}
