// Command pulumi-language-python is a minimal Python language host for the Pulumi engine.
//
// pulumi-didomi builds the Pulumi CLI from Go modules. The Go module proxy serves the CLI
// (github.com/pulumi/pulumi/pkg/v3) but refuses Pulumi's own Python language host module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) at every version, so
// scripts/ensure-pulumi builds this host instead when that happens. It implements the part of
// the LanguageRuntime gRPC service that `pulumi preview/up/refresh/destroy` use for an on-disk
// Python project: it runs the program through the SDK's own `pulumi-language-python-exec`
// shim (shipped in the github.com/pulumi/pulumi/sdk/v3 module) with the project's Python.
// It also implements RunPlugin, through which the engine starts a plugin written in Python: a
// provider (or any other non-analyzer plugin) kept as a bare directory with a PulumiPlugin.yaml and
// a __main__.py, or a Python policy pack (kind "analyzer"), which gets its stack configuration
// through the SDK's policy-pack proxy.
// Everything else (plugin discovery, code generation, templates) answers Unimplemented, which
// the engine treats as "not supported by this language".
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// exitCodeUserActionable is what the exec shim returns after it has already shown the user an
// actionable message; the engine is then told to bail without printing a second error.
const exitCodeUserActionable = 32

// analyzerKind is the RunPluginRequest kind of a policy pack; every other kind (resource, tool,
// converter, or none) is run as a plugin directory's __main__.py.
const analyzerKind = "analyzer"

// pluginVirtualenv is the virtualenv a plugin uses when its PulumiPlugin.yaml names none, as in
// Pulumi's own language host; taken only when it exists, since this host installs nothing.
const pluginVirtualenv = "venv"

// pluginWaitDelay bounds how long the output pipes of a plugin that has exited (or been killed)
// are drained, in case a process it started still holds them open.
const pluginWaitDelay = 5 * time.Second

// host is the LanguageRuntime service; the engine address and project root come from the
// command line or Handshake.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor string

	mu            sync.Mutex
	engineAddress string
	rootDirectory string
}

// main parses the engine's flags, serves the LanguageRuntime service and prints its port.
func main() {
	flag.String("tracing", "", "ignored: accepted for compatibility with the engine")
	executor := flag.String("use-executor", "", "path of pulumi-language-python-exec (default: beside this binary)")
	flag.Parse()

	h := &host{executor: *executor}
	if h.executor == "" {
		self, err := os.Executable()
		if err != nil {
			fail(err)
		}
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		h.executor = self + "-exec"
	}
	if _, err := os.Stat(h.executor); err != nil {
		fail(fmt.Errorf("the Python exec shim %s is missing: re-run scripts/ensure-pulumi", h.executor))
	}
	if args := flag.Args(); len(args) > 0 {
		h.engineAddress = args[0]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fail(err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail(err)
	}
}

// fail reports a fatal start-up error and exits.
func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
	os.Exit(1)
}

// Handshake records the engine address and project root the engine hands over.
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	if req.RootDirectory != nil {
		h.rootDirectory = req.GetRootDirectory()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the Pulumi release this host was built for.
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins answers that the program needs no plugin the engine must pre-install:
// dynamic providers use the bundled pulumi-python provider, which the engine finds itself.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages is the newer form of GetRequiredPlugins.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies has nothing to do: the project's virtualenv is set up by its own scripts.
func (h *host) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return nil
}

// Run executes the Python program through the exec shim and reports how it ended.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	h.mu.Lock()
	engine, root := h.engineAddress, h.rootDirectory
	h.mu.Unlock()
	if info := req.GetInfo(); info != nil && info.GetRootDirectory() != "" {
		root = info.GetRootDirectory()
	}

	python, _, err := pythonCommand(root, req.GetInfo().GetOptions(), "")
	if err != nil {
		return nil, status.Error(codes.FailedPrecondition, err.Error())
	}

	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args := []string{"-u", h.executor}
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("project", req.GetProject())
	add("root_directory", root)
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secrets, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("could not run the Python program with %s: %v", python, err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

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

// pythonCommand picks the interpreter, and the virtualenv it belongs to ("" for none): the
// `virtualenv` runtime option (relative to root), else defaultVenv under root when that exists,
// else $PULUMI_PYTHON_CMD, else python3 on PATH.
func pythonCommand(root string, options *structpb.Struct, defaultVenv string) (string, string, error) {
	if v, ok := options.GetFields()["virtualenv"]; ok && v.GetStringValue() != "" {
		venv := v.GetStringValue()
		if !filepath.IsAbs(venv) {
			venv = filepath.Join(root, venv)
		}
		python := filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(python); err != nil {
			return "", "", fmt.Errorf(
				"the virtualenv %s named in the `virtualenv` runtime option does not exist: create it "+
					"(python3 -m venv %s && %s/bin/pip install -e .)", venv, venv, venv)
		}
		return python, venv, nil
	}
	if defaultVenv != "" {
		venv := filepath.Join(root, defaultVenv)
		python := filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(python); err == nil {
			return python, venv, nil
		}
	}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		return cmd, "", nil
	}
	python, err := exec.LookPath("python3")
	return python, "", err
}

// activateVirtualenv returns env as the virtualenv venv's activate script would leave it: its
// bin directory first on PATH, VIRTUAL_ENV set, PYTHONHOME unset. Later entries of env win, as in
// os/exec.
func activateVirtualenv(env []string, venv string) []string {
	bin := filepath.Join(venv, "bin")
	path := ""
	result := make([]string, 0, len(env)+2)
	for _, kv := range env {
		key, value, _ := strings.Cut(kv, "=")
		switch key {
		case "PATH":
			path = value
		case "PYTHONHOME", "VIRTUAL_ENV":
		default:
			result = append(result, kv)
		}
	}
	if path != "" {
		bin += string(os.PathListSeparator) + path
	}
	return append(result, "PATH="+bin, "VIRTUAL_ENV="+venv)
}
