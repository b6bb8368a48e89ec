// Command bare is the baseline of the public read benchmark: a plain
// net/http server that replays, at the same paths, the exact answers a
// running Bureau gives. It asks Bureau once at startup for every URL it is
// told to serve, keeps the status, headers and body, and then answers each
// request from memory: same bytes, same Content-Type, ETag, Last-Modified,
// Cache-Control (and the CORS and security headers), and a 304 for a
// matching If-None-Match, compared as Bureau compares it.
//
// Each URL is copied three times, asking Bureau for identity, gzip and br,
// and replayed by the request's exact Accept-Encoding value (anything else
// gets the identity copy): the compressed scenarios compare Bureau with a
// server sending the very same compressed bytes, negotiating nothing.
//
// What Bureau does on top of this (routing through Gin, query validation,
// request ids, metrics, one log line per request, the catalog lookup) is
// exactly what the benchmark's Bureau/bare ratio measures.
//
//	go run ./bench/bare -from http://127.0.0.1:8080 -addr 127.0.0.1:0 \
//	    /api/v1/offices/occs '/api/v1/departments?limit=20'
//
// It prints "bare is serving http://ADDR" on stdout once it listens.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// answer is one recorded Bureau response.
type answer struct {
	status int
	header http.Header // without Date, Content-Length and hop-by-hop fields
	body   []byte
	etag   string
	length []string // Content-Length, formatted once
}

func main() {
	from := flag.String("from", os.Getenv("BARE_FROM"), "base URL of the running Bureau to copy answers from (env BARE_FROM)")
	addr := flag.String("addr", envOr("BARE_ADDR", "127.0.0.1:0"), "listen address (env BARE_ADDR)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: bare -from http://127.0.0.1:8080 [-addr host:port] PATH?QUERY ...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *from == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	// By URI, then by the Accept-Encoding value sent ("" for none).
	answers := map[string]map[string]*answer{}
	// The transport must neither ask for gzip on its own nor decode it.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	for _, uri := range flag.Args() {
		answers[uri] = map[string]*answer{}
		for _, accept := range []string{"", "gzip", "br"} {
			a, err := fetch(client, strings.TrimSuffix(*from, "/"), uri, accept)
			if err != nil {
				fmt.Fprintln(os.Stderr, "bare:", err)
				os.Exit(1)
			}
			answers[uri][accept] = a
		}
	}

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		byCoding, ok := answers[r.RequestURI]
		if !ok {
			http.NotFound(w, r)
			return
		}
		var accept string
		if v := r.Header["Accept-Encoding"]; len(v) > 0 {
			accept = v[0]
		}
		a := byCoding[accept]
		if a == nil {
			a = byCoding[""]
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		if a.status == http.StatusOK && a.etag != "" && notModified(r.Header.Get("If-None-Match"), a.etag) {
			delete(h, "Content-Type")
			delete(h, "Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h["Content-Length"] = a.length
		w.WriteHeader(a.status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(a.body)
		}
	})
	// The same server settings as Bureau's (cmd/bureau/serve.go).
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	fmt.Printf("bare is serving http://%s (%d answers copied from %s)\n", ln.Addr(), len(answers), *from)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "bare:", err)
	}
}

func fetch(client *http.Client, base, uri, acceptEncoding string) (*answer, error) {
	if !strings.HasPrefix(uri, "/") {
		return nil, fmt.Errorf("%q: paths must start with /", uri)
	}
	req, err := http.NewRequest(http.MethodGet, base+uri, nil)
	if err != nil {
		return nil, err
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: Bureau answered %s, want 200", uri, resp.Status)
	}
	h := resp.Header.Clone()
	for _, k := range []string{"Date", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding"} {
		h.Del(k)
	}
	return &answer{
		status: resp.StatusCode,
		header: h,
		body:   body,
		etag:   resp.Header.Get("ETag"),
		length: []string{strconv.Itoa(len(body))},
	}, nil
}

// notModified is Bureau's If-None-Match comparison (handlers/public.go):
// a weak comparison against a list, "*" matches anything.
func notModified(inm, etag string) bool {
	if inm == "" {
		return false
	}
	for _, tag := range strings.Split(inm, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
