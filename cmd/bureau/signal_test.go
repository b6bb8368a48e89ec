package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// TestSIGTERMStopsGracefully starts `bureau serve` as a process, sends it
// SIGTERM and expects a clean exit after draining.
func TestSIGTERMStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	addr := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"BUREAU_TEST_RUN_MAIN=1", "BUREAU_TEST_ARGS=serve",
		"BUREAU_ADDR="+addr, "BUREAU_DATABASE_URL=sqlite:"+filepath.Join(dir, "bureau.db"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, addr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no exit within 20 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") || !strings.Contains(stderr.String(), "stopped") {
		t.Fatalf("no graceful shutdown in the log:\n%s", stderr.String())
	}
}
