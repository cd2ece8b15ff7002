package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/pulumi/pulumi/sdk/v3"
)

// analyzerKind is the RunPluginRequest kind of a policy pack; every other kind (resource, tool,
// converter, or none) is run as a plugin directory's __main__.py.
const analyzerKind = "analyzer"

// pluginVirtualenv is the virtualenv a plugin uses when its PulumiPlugin.yaml names none, as in
// Pulumi's own language host; taken only when it exists, since this host installs nothing.
const pluginVirtualenv = "venv"

// pluginWaitDelay bounds how long the output pipes of a plugin that has exited (or been killed)
// are drained, in case a process it started still holds them open.
const pluginWaitDelay = 5 * time.Second

// RunPlugin starts a plugin written in Python and streams its stdout and stderr back to the
// engine as they come, then its exit code; the engine reads the plugin's port from the first
// line of that stdout. When the stream's context ends (the engine closes or kills the plugin),
// the process is killed.
//
// A policy pack (kind "analyzer") runs as `python -u -m pulumi.policy <args...> <pack dir>` in
// the pack's directory. That runner reads the stack (project, stack, dry run, configuration) from
// PULUMI_* environment variables, which the engine only sends over gRPC, so the pack is put behind
// the SDK's policy-pack proxy: the engine first talks to the proxy, which receives the stack
// configuration; the pack is then started with it in its environment and the proxy forwards
// everything else to it.
//
// Any other kind (a provider, normally) runs as `python -u <plugin dir> <args...>`, which executes
// the plugin directory's __main__.py, in the working directory the engine asks for.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	ctx := server.Context()
	if req.GetAttachDebugger() {
		return status.Error(codes.Unimplemented,
			"attaching a debugger to a Python plugin is not supported by pulumi-didomi's language host")
	}

	info := req.GetInfo()
	dir := info.GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram() // the field older engines set instead of info
	}
	if dir == "" {
		return status.Error(codes.InvalidArgument, "RunPlugin: no plugin directory given")
	}
	root := info.GetRootDirectory()
	if root == "" {
		root = dir
	}
	analyzer := req.GetKind() == analyzerKind

	defaultVenv := pluginVirtualenv
	if analyzer {
		defaultVenv = "" // Pulumi defaults the virtualenv of providers only, not of policy packs
	}
	python, venv, err := pythonCommand(root, info.GetOptions(), defaultVenv)
	if err != nil {
		return status.Error(codes.FailedPrecondition, err.Error())
	}

	var args []string
	workDir := req.GetPwd()
	if analyzer {
		// The pack directory goes last, and policy packs have always run from their own directory.
		args = append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
		args = append(args, dir)
		workDir = dir
	} else {
		if _, err := os.Stat(filepath.Join(dir, "__main__.py")); err != nil {
			if os.IsNotExist(err) {
				return status.Errorf(codes.FailedPrecondition,
					"the Python plugin %s has no __main__.py: pulumi-didomi's language host runs only "+
						"plugin directories with a __main__.py (not buildable packages)", dir)
			}
			return status.Errorf(codes.FailedPrecondition, "looking for the plugin's __main__.py: %v", err)
		}
		args = append([]string{"-u", dir}, req.GetArgs()...)
	}

	out := &pluginOutput{server: server}
	defer out.close()
	var stdout io.Writer = pluginStream{out: out}

	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = workDir
	cmd.WaitDelay = pluginWaitDelay
	env := append(os.Environ(), req.GetEnv()...)

	var proxy *sdk.PolicyProxy
	if analyzer {
		// The proxy prints its own port on the real stdout and hands back the writer the pack's
		// stdout must go to, from which it reads the pack's port before passing the rest on.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start the policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get the stack configuration for the policy pack: %w", err)
		}
		stackEnv, err := policyPackEnv(stack)
		if err != nil {
			return err
		}
		env = append(env, stackEnv...)
	}
	if venv != "" {
		env = activateVirtualenv(env, venv)
	}
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = pluginStream{out: out, stderr: true}

	if err := cmd.Start(); err != nil {
		return status.Errorf(codes.FailedPrecondition, "could not start the Python plugin %s with %s: %v",
			dir, python, err)
	}
	if proxy != nil {
		err = proxy.Attach(ctx, cmd) // waits for the pack to exit
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			return fmt.Errorf("could not attach to the policy pack %s: %w", dir, err)
		}
	} else {
		err = cmd.Wait()
	}

	code := 0
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("the Python plugin %s failed: %w", dir, err)
		}
		code = exitErr.ExitCode() // -1 when killed by a signal
	}
	return out.send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}, //nolint:gosec // an exit status
	})
}

// policyPackEnv turns the stack configuration the engine gave the policy-pack proxy into the
// environment variables the pulumi.policy runtime reads; the configuration is nil when the
// engine asked for something else first (e.g. `pulumi policy publish`).
func policyPackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return nil, nil
	}
	var env []string
	add := func(name, value string) {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	add("PULUMI_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_PROJECT", stack.GetProject())
	add("PULUMI_STACK", stack.GetStack())
	add("PULUMI_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.GetConfig() != nil {
		config, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("could not encode the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(config))
	}
	return env, nil
}

// pluginOutput sends the messages of one RunPlugin stream. gRPC lets only one goroutine send on a
// stream at a time, while a plugin's stdout and stderr are copied by two, and nothing may be sent
// once RunPlugin has returned, which close marks.
type pluginOutput struct {
	server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]

	mu     sync.Mutex
	closed bool
}

// send sends one message, unless the stream has ended.
func (o *pluginOutput) send(resp *pulumirpc.RunPluginResponse) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return errors.New("the RunPlugin stream has ended")
	}
	return o.server.Send(resp)
}

// close stops any further sending.
func (o *pluginOutput) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
}

// pluginStream is a plugin's stdout or stderr: every write is sent as one chunk.
type pluginStream struct {
	out    *pluginOutput
	stderr bool
}

// Write sends p as a stdout or stderr chunk.
func (w pluginStream) Write(p []byte) (int, error) {
	chunk := bytes.Clone(p)
	resp := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}}
	if w.stderr {
		resp = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}}
	}
	if err := w.out.send(resp); err != nil {
		return 0, err
	}
	return len(p), nil
}
