package main

import (
	"bufio"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// TestActivateVirtualenv checks the environment a plugin gets when it runs from a virtualenv.
func TestActivateVirtualenv(t *testing.T) {
	got := activateVirtualenv([]string{
		"PATH=/usr/bin", "HOME=/root", "PYTHONHOME=/x", "VIRTUAL_ENV=/old", "PATH=/engine/bin:/usr/bin",
	}, "/p/venv")
	want := []string{"HOME=/root", "PATH=/p/venv/bin:/engine/bin:/usr/bin", "VIRTUAL_ENV=/p/venv"}
	if !slices.Equal(got, want) {
		t.Errorf("activateVirtualenv = %q, want %q", got, want)
	}
}

// TestPythonCommandPrefersTheDefaultVirtualenv checks that a plugin's own venv wins over
// $PULUMI_PYTHON_CMD when it exists, and is skipped when it does not.
func TestPythonCommandPrefersTheDefaultVirtualenv(t *testing.T) {
	root := t.TempDir()
	t.Setenv("PULUMI_PYTHON_CMD", "/some/python")
	if python, venv, err := pythonCommand(root, nil, "venv"); err != nil || python != "/some/python" || venv != "" {
		t.Errorf("without venv: %q, %q, %v", python, venv, err)
	}
	bin := filepath.Join(root, "venv", "bin")
	if err := os.MkdirAll(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "python"), nil, 0o700); err != nil {
		t.Fatal(err)
	}
	python, venv, err := pythonCommand(root, nil, "venv")
	if err != nil || python != filepath.Join(bin, "python") || venv != filepath.Join(root, "venv") {
		t.Errorf("with venv: %q, %q, %v", python, venv, err)
	}
}

// TestMain runs the host's main instead of the tests when LANGHOST_TEST_MAIN is set: the tests
// start this test binary as the host, the way the engine starts pulumi-language-python.
func TestMain(m *testing.M) {
	if os.Getenv("LANGHOST_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestParseFlagsIgnoresUnknownFlags checks the flags older engines and the YAML host pass: -root
// and each runtime option as -name=value, before the engine's address.
func TestParseFlagsIgnoresUnknownFlags(t *testing.T) {
	fs := flag.NewFlagSet("host", flag.ContinueOnError)
	executor := fs.String("use-executor", "", "")
	root := fs.String("root", "", "")
	verbose := fs.Bool("logtostderr", false, "")
	err := parseFlags(fs, []string{
		"-virtualenv=venv", "-toolchain=pip", "-typechecker", "--root=/p", "-use-executor", "/e",
		"-logtostderr", "127.0.0.1:1", "-after=kept",
	})
	if err != nil {
		t.Fatal(err)
	}
	if *executor != "/e" || *root != "/p" || !*verbose {
		t.Errorf("executor %q, root %q, logtostderr %v", *executor, *root, *verbose)
	}
	if got := fs.Args(); !slices.Equal(got, []string{"127.0.0.1:1", "-after=kept"}) {
		t.Errorf("args = %q", got)
	}
}

// TestTheHostStopsOnSIGINTEvenWhenStartedIgnoringIt starts the host as the engine does, with the
// flags the YAML host passes, from a shell that ignores SIGINT (a command run in the background),
// and checks that one SIGINT ends it at once.
func TestTheHostStopsOnSIGINTEvenWhenStartedIgnoringIt(t *testing.T) {
	executor := filepath.Join(t.TempDir(), "exec")
	if err := os.WriteFile(executor, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `trap '' INT; exec "$@"`, "sh",
		self, "-use-executor", executor, "-root=/somewhere", "-virtualenv=venv", "127.0.0.1:1")
	cmd.Env = append(os.Environ(), "LANGHOST_TEST_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if _, perr := strconv.Atoi(strings.TrimSpace(line)); err != nil || perr != nil {
		t.Fatalf("first line %q is not a port (%v)", line, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the host exited with %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the host still runs 2 s after SIGINT")
	}
}

// TestStoppingTheHostStopsItsProgram checks that a program still running when the host is told
// to stop is stopped: SIGTERM, then SIGKILL after programStopDelay when it ignores SIGTERM.
func TestStoppingTheHostStopsItsProgram(t *testing.T) {
	if _, _, err := pythonCommand("", nil, ""); err != nil {
		t.Skipf("no Python: %v", err)
	}
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	executor := filepath.Join(dir, "exec.py")
	source := `import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
open(os.environ["LANGHOST_TEST_STARTED"], "w").close()
time.sleep(60)
`
	if err := os.WriteFile(executor, []byte(source), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LANGHOST_TEST_STARTED", started)
	stopping, stop := context.WithCancel(context.Background())
	defer stop()
	h := &host{executor: executor, stopping: stopping}
	done := make(chan *pulumirpc.RunResponse, 1)
	go func() {
		resp, _ := h.Run(context.Background(), &pulumirpc.RunRequest{Info: &pulumirpc.ProgramInfo{
			RootDirectory: dir, ProgramDirectory: dir, EntryPoint: ".",
		}})
		done <- resp
	}()
	for deadline := time.Now().Add(30 * time.Second); !isFile(started); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the program did not start")
		}
	}
	if h.children.Load() != 1 {
		t.Errorf("children = %d while the program runs", h.children.Load())
	}
	stopped := time.Now()
	stop()
	select {
	case resp := <-done:
		if resp == nil || resp.GetError() == "" {
			t.Errorf("Run = %v, want an error (the program was killed)", resp)
		}
	case <-time.After(programStopDelay + 3*time.Second):
		t.Fatal("Run did not return after the host was told to stop")
	}
	if took := time.Since(stopped); took < programStopDelay-100*time.Millisecond {
		t.Errorf("the program ignoring SIGTERM was killed after %v, before programStopDelay", took)
	}
	h.awaitChildren(time.Second)
	if h.children.Load() != 0 {
		t.Errorf("children = %d after Run", h.children.Load())
	}
}
