package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this package's main() in a child process, to
// send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("BUREAU_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"bureau"}, strings.Fields(os.Getenv("BUREAU_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startServe runs `bureau serve` as a child process on a new embedded
// database, with extra BUREAU_* settings, and waits until it is ready.
func startServe(t *testing.T, env ...string) (cmd *exec.Cmd, addr string, stderr *bytes.Buffer) {
	t.Helper()
	addr = freePort(t)
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"BUREAU_TEST_RUN_MAIN=1", "BUREAU_TEST_ARGS=serve",
		"BUREAU_ADDR="+addr, "BUREAU_DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "bureau.db"))
	cmd.Env = append(cmd.Env, env...)
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	waitReady(t, addr)
	return cmd, addr, stderr
}

// waitExit expects the process to exit cleanly within 20 s.
func waitExit(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit within 20 s of SIGTERM")
	}
}

// TestSIGTERMStopsGracefully starts `bureau serve` as a process, sends it
// SIGTERM and expects a clean exit after draining.
func TestSIGTERMStopsGracefully(t *testing.T) {
	cmd, _, stderr := startServe(t)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitExit(t, cmd, stderr)
	if !strings.Contains(stderr.String(), "shutting down") || !strings.Contains(stderr.String(), "stopped") {
		t.Fatalf("no graceful shutdown in the log:\n%s", stderr.String())
	}
}

// TestSIGTERMDrainsKeepAliveLoad: under keep-alive load, SIGTERM turns
// /readyz 503 at once while requests keep being served, each answer with
// Connection: close, for the drain period. Clients that, like a load
// balancer, stop sending here once /readyz says 503 see no failed request.
func TestSIGTERMDrainsKeepAliveLoad(t *testing.T) {
	cmd, addr, stderr := startServe(t, "BUREAU_LOG_LEVEL=warn", "BUREAU_SHUTDOWN_DRAIN=1500ms")

	var (
		stop            atomic.Bool
		served, failed  atomic.Int64
		closedAfterTerm atomic.Int64
		terminated      atomic.Bool
		wg              sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for !stop.Load() {
				resp, err := client.Get("http://" + addr + "/api/v1/offices/occs")
				if err != nil {
					failed.Add(1)
					t.Logf("request failed: %v", err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				served.Add(1)
				if resp.Close && terminated.Load() {
					closedAfterTerm.Add(1)
				}
			}
		}()
	}

	// The load balancer's health check: it takes the instance out at the
	// first 503, as haproxy with "fall 1" would.
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	terminated.Store(true)
	sent := time.Now()
	var notReadyAfter time.Duration
	for time.Since(sent) < time.Second {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatalf("/readyz after SIGTERM: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			notReadyAfter = time.Since(sent)
			if !strings.Contains(string(body), `"shutdown":"draining"`) || !resp.Close {
				t.Errorf("/readyz while draining: close %v %s", resp.Close, body)
			}
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	servedAtTerm := served.Load()
	time.Sleep(200 * time.Millisecond) // requests already on their way still arrive
	stop.Store(true)
	wg.Wait()
	if notReadyAfter == 0 {
		t.Fatal("/readyz did not turn 503 within 1 s of SIGTERM")
	}

	waitExit(t, cmd, stderr)
	t.Logf("served %d requests (%d after SIGTERM); /readyz 503 after %s", served.Load(), served.Load()-servedAtTerm, notReadyAfter)
	if n := failed.Load(); n != 0 {
		t.Errorf("%d requests failed across the shutdown", n)
	}
	if closedAfterTerm.Load() == 0 {
		t.Error("no answer after SIGTERM asked the client to close its connection")
	}
}
