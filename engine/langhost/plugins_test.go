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
