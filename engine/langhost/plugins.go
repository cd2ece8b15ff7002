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
	"google.golang.org/protobuf/types/known/structpb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// analyzerKind is the RunPluginRequest kind of a policy pack; every other kind (resource, tool,
// converter, or none) is run as a plugin directory's __main__.py.
const analyzerKind = "analyzer"

// pluginVirtualenv is the virtualenv a plugin uses when its PulumiPlugin.yaml names none, as in
// Pulumi's own language host; taken only when it exists, since this host installs nothing.
const pluginVirtualenv = "venv"

// pythonRuntime is the runtime name of Python projects in a Pulumi.yaml.
const pythonRuntime = "python"

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
//
// The Python is chosen by pluginPython.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	ctx, release := h.childContext(server.Context())
	defer release()
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

	python, venv, err := pluginPython(root, info.GetOptions(), req.GetPwd(), analyzer)
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
	h.children.Add(1)
	defer h.children.Add(-1)
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

// pluginPython picks the interpreter of a plugin in root (its directory), and the virtualenv it
// belongs to ("" for none), first found of:
//
//  1. the `virtualenv` option of the plugin's PulumiPlugin.yaml (relative to root);
//  2. for a plugin other than a policy pack, `venv` in root, as in Pulumi's own language host;
//  3. the virtualenv root lies in: a plugin directory shipped inside a package installed there
//     (<venv>/lib/python3.X/site-packages/pulumi_didomi/provider/plugin), which has the package
//     by construction, whatever the project's language;
//  4. the project's virtualenv: the `virtualenv` runtime option of the Python project the engine
//     runs (its Pulumi.yaml, found from pwd upwards), for a plugin directory outside any
//     virtualenv (a source checkout, an editable install);
//  5. $PULUMI_PYTHON_CMD, else python3 on PATH.
func pluginPython(root string, options *structpb.Struct, pwd string, analyzer bool) (string, string, error) {
	if v, ok := options.GetFields()["virtualenv"]; ok && v.GetStringValue() != "" {
		return pythonCommand(root, options, "")
	}
	if !analyzer {
		venv := filepath.Join(root, pluginVirtualenv)
		if python := filepath.Join(venv, "bin", "python"); isFile(python) {
			return python, venv, nil
		}
	}
	if venv := enclosingVirtualenv(root); venv != "" {
		return filepath.Join(venv, "bin", "python"), venv, nil
	}
	venv, err := projectVirtualenv(pwd)
	if err != nil {
		return "", "", err
	}
	if venv != "" {
		return filepath.Join(venv, "bin", "python"), venv, nil
	}
	return pythonCommand(root, nil, "")
}

// enclosingVirtualenv is the virtualenv (a directory with pyvenv.cfg and bin/python) that dir is
// in, or "". The path is taken as given, then with its symbolic links resolved.
func enclosingVirtualenv(dir string) string {
	paths := []string{filepath.Clean(dir)}
	if resolved, err := filepath.EvalSymlinks(dir); err == nil && resolved != paths[0] {
		paths = append(paths, resolved)
	}
	for _, path := range paths {
		for d := path; ; d = filepath.Dir(d) {
			if isFile(filepath.Join(d, "pyvenv.cfg")) && isFile(filepath.Join(d, "bin", "python")) {
				return d
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return ""
}

// projectVirtualenv is the virtualenv named by the `virtualenv` runtime option of the Python
// project whose Pulumi.yaml is in pwd or above, relative to that file's directory; "" when there
// is no such project or option. A virtualenv named but missing is an error.
func projectVirtualenv(pwd string) (string, error) {
	if pwd == "" {
		return "", nil
	}
	path, err := workspace.DetectProjectPathFrom(pwd)
	if err != nil || path == "" {
		return "", nil //nolint:nilerr // no project: nothing to take from it
	}
	project, err := workspace.LoadProject(path)
	if err != nil || project.Runtime.Name() != pythonRuntime {
		return "", nil //nolint:nilerr // the engine reports a broken project itself
	}
	venv, _ := project.Runtime.Options()["virtualenv"].(string)
	if venv == "" {
		return "", nil
	}
	if !filepath.IsAbs(venv) {
		venv = filepath.Join(filepath.Dir(path), venv)
	}
	if !isFile(filepath.Join(venv, "bin", "python")) {
		return "", status.Errorf(codes.FailedPrecondition,
			"the virtualenv %s named in the `virtualenv` runtime option of %s, with which the Python "+
				"plugin would run, does not exist: create it (python3 -m venv %s && %s/bin/pip install "+
				"<the plugin's package>)", venv, path, venv, venv)
	}
	return venv, nil
}

// isFile is true when path names an existing file (or a link to one).
func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
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
