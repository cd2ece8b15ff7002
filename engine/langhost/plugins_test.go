package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// fakeStream is the server side of a RunPlugin stream: it records what is sent and reports each
// stdout chunk on a channel as it comes.
type fakeStream struct {
	grpc.ServerStream

	ctx    context.Context
	stdout chan string

	mu   sync.Mutex
	sent []*pulumirpc.RunPluginResponse
}

// Context is the stream's context, whose end cancels the plugin.
func (s *fakeStream) Context() context.Context { return s.ctx }

// Send records one response.
func (s *fakeStream) Send(resp *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	s.sent = append(s.sent, resp)
	s.mu.Unlock()
	if out := resp.GetStdout(); out != nil && s.stdout != nil {
		s.stdout <- string(out)
	}
	return nil
}

// output joins the stdout and stderr chunks sent, and returns the messages in order.
func (s *fakeStream) output() (string, string, []*pulumirpc.RunPluginResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var stdout, stderr strings.Builder
	for _, m := range s.sent {
		stdout.Write(m.GetStdout())
		stderr.Write(m.GetStderr())
	}
	return stdout.String(), stderr.String(), slices.Clone(s.sent)
}

// pluginDir writes a plugin directory whose __main__.py is source.
func pluginDir(t *testing.T, source string) string {
	t.Helper()
	if _, _, err := pythonCommand("", nil, ""); err != nil {
		t.Skipf("no Python: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "PulumiPlugin.yaml"), []byte("runtime: python\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "__main__.py"), []byte(source), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestRunPluginStreamsOutputThenExitCode runs a plugin in the requested directory with the
// requested environment and arguments, and checks its output and exit code come back in order.
func TestRunPluginStreamsOutputThenExitCode(t *testing.T) {
	dir := pluginDir(t, `import os, sys
print("4242")
print("cwd=" + os.getcwd())
print("args=" + ",".join(sys.argv[1:]))
print("env=" + os.environ.get("LANGHOST_TEST", ""))
print("oops", file=sys.stderr)
sys.exit(3)
`)
	pwd := t.TempDir()
	stream := &fakeStream{ctx: context.Background()}
	err := (&host{}).RunPlugin(&pulumirpc.RunPluginRequest{
		Pwd:  pwd,
		Args: []string{"127.0.0.1:1", "--x"},
		Env:  []string{"LANGHOST_TEST=from-engine"},
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
		Kind: "resource",
	}, stream)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, sent := stream.output()
	want := "4242\ncwd=" + pwd + "\nargs=127.0.0.1:1,--x\nenv=from-engine\n"
	if stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if stderr != "oops\n" {
		t.Errorf("stderr = %q, want %q", stderr, "oops\n")
	}
	last := sent[len(sent)-1]
	if code, ok := last.Output.(*pulumirpc.RunPluginResponse_Exitcode); !ok || code.Exitcode != 3 {
		t.Errorf("last message = %v, want exit code 3", last)
	}
}

// TestRunPluginKillsThePluginWhenTheStreamEnds checks that the first stdout line arrives while the
// plugin still runs, and that ending the stream's context kills it.
func TestRunPluginKillsThePluginWhenTheStreamEnds(t *testing.T) {
	dir := pluginDir(t, `import os, time
print(os.getpid())
time.sleep(60)
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream := &fakeStream{ctx: ctx, stdout: make(chan string, 10)}
	done := make(chan error, 1)
	go func() {
		done <- (&host{}).RunPlugin(&pulumirpc.RunPluginRequest{
			Pwd:  dir,
			Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
		}, stream)
	}()

	var pid int
	select {
	case line := <-stream.stdout:
		var err error
		if pid, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
			t.Fatalf("first stdout chunk %q is not a pid", line)
		}
	case err := <-done:
		t.Fatalf("RunPlugin ended before the plugin wrote anything: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no stdout from the plugin: is its output buffered?")
	}

	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("RunPlugin did not return after its context ended")
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the plugin (pid %d) still runs after the stream ended", pid)
	}
}

// TestRunPluginWithoutMainPy checks the error for a plugin directory this host cannot run.
func TestRunPluginWithoutMainPy(t *testing.T) {
	dir := t.TempDir()
	err := (&host{}).RunPlugin(&pulumirpc.RunPluginRequest{
		Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
		Kind: "resource",
	}, &fakeStream{ctx: context.Background()})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "__main__.py") {
		t.Errorf("err = %v, want FailedPrecondition about __main__.py", err)
	}
}

// fakeVenv makes dir a virtualenv as far as the host can tell (pyvenv.cfg, bin/python) and
// returns its python.
func fakeVenv(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"pyvenv.cfg", filepath.Join("bin", "python")} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "bin", "python")
}

// TestPluginPythonOrder checks where a plugin's Python comes from, in order: its own
// `virtualenv` option, its own `venv`, the virtualenv it is installed in, the Python project's
// virtualenv, then $PULUMI_PYTHON_CMD.
func TestPluginPythonOrder(t *testing.T) {
	t.Setenv("PULUMI_PYTHON_CMD", "/the/python")
	base := t.TempDir()
	installed := filepath.Join(base, "site", "lib", "python3.12", "site-packages", "pkg", "plugin")
	checkout := filepath.Join(base, "checkout", "pkg", "plugin")
	project := filepath.Join(base, "project")
	for _, d := range []string{installed, checkout, filepath.Join(project, "src")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	siteVenv := fakeVenv(t, filepath.Join(base, "site"))
	projectVenv := fakeVenv(t, filepath.Join(project, ".venv"))
	writeProject := func(text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(project, "Pulumi.yaml"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeProject("name: p\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n")
	pwd := filepath.Join(project, "src") // the engine's pwd: the project's `main`, or its root

	check := func(what, root string, options map[string]any, analyzer bool, want, wantVenv string) {
		t.Helper()
		opts, err := structpb.NewStruct(options)
		if err != nil {
			t.Fatal(err)
		}
		python, venv, err := pluginPython(root, opts, pwd, analyzer)
		if err != nil || python != want || venv != wantVenv {
			t.Errorf("%s: %q, %q, %v; want %q, %q", what, python, venv, err, want, wantVenv)
		}
	}
	// 3. Installed in a virtualenv: that one, whatever the project says.
	check("installed", installed, nil, false, siteVenv, filepath.Join(base, "site"))
	check("installed policy pack", installed, nil, true, siteVenv, filepath.Join(base, "site"))
	// 4. Outside any virtualenv: the Python project's.
	check("checkout", checkout, nil, false, projectVenv, filepath.Join(project, ".venv"))
	// 2. Its own venv, as Pulumi's host does (not for policy packs).
	ownVenv := fakeVenv(t, filepath.Join(checkout, "venv"))
	check("own venv", checkout, nil, false, ownVenv, filepath.Join(checkout, "venv"))
	check("own venv, policy pack", checkout, nil, true, projectVenv, filepath.Join(project, ".venv"))
	// 1. Its own `virtualenv` option, relative to the plugin directory.
	optionVenv := fakeVenv(t, filepath.Join(checkout, "env"))
	check("option", checkout, map[string]any{"virtualenv": "env"}, false, optionVenv,
		filepath.Join(checkout, "env"))
	if err := os.RemoveAll(filepath.Join(checkout, "venv")); err != nil {
		t.Fatal(err)
	}

	// 5. A project of another language, or without the option: $PULUMI_PYTHON_CMD.
	writeProject("name: p\nruntime: yaml\n")
	check("yaml project", checkout, nil, false, "/the/python", "")
	writeProject("name: p\nruntime: python\n")
	check("no option", checkout, nil, false, "/the/python", "")
	check("no pwd", checkout, nil, false, "/the/python", "")

	// The project's virtualenv named but missing: said, rather than python3 failing to import.
	writeProject("name: p\nruntime:\n  name: python\n  options:\n    virtualenv: gone\n")
	_, _, err := pluginPython(checkout, nil, pwd, false)
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), filepath.Join(project, "gone")) {
		t.Errorf("missing project virtualenv: %v", err)
	}
}

// TestStoppingTheHostStopsItsPlugins checks that a plugin still running when the host is told
// to stop is killed, even if it ignores SIGINT.
func TestStoppingTheHostStopsItsPlugins(t *testing.T) {
	dir := pluginDir(t, `import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("4242")
time.sleep(60)
`)
	stopping, stop := context.WithCancel(context.Background())
	defer stop()
	stream := &fakeStream{ctx: context.Background(), stdout: make(chan string, 10)}
	done := make(chan error, 1)
	go func() {
		done <- (&host{stopping: stopping}).RunPlugin(&pulumirpc.RunPluginRequest{
			Pwd:  dir,
			Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
		}, stream)
	}()
	select {
	case <-stream.stdout:
	case <-time.After(30 * time.Second):
		t.Fatal("no stdout from the plugin")
	}
	stop()
	select {
	case <-done:
	case <-time.After(pluginWaitDelay):
		t.Fatal("RunPlugin did not return after the host was told to stop")
	}
}
