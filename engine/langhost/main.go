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
// And it implements the two code generators the CLI asks a language host for: GenerateProgram
// (Python code from PCL, which `pulumi import` prints or writes) and GeneratePackage (a Python SDK
// from a package schema, for `pulumi package gen-sdk --language python`), both through Pulumi's
// own Python code generator in github.com/pulumi/pulumi/pkg/v3/codegen/python, with the schemas
// they refer to loaded from the engine.
// Everything else (plugin discovery, project generation, packing, linking, templates) answers
// Unimplemented, which the engine treats as "not supported by this language".
//
// Stopping: the engine closes a language host by sending SIGINT to its process group, then
// SIGKILL 5 s later if the host has not exited. The host stops at once on SIGINT or SIGTERM, even
// when it was started with SIGINT ignored (a command run in the background by a shell): it stops
// the programs and plugins it runs (a Python program the engine abandoned, after a failed check,
// may otherwise block in its threads and hold the engine's pipes for those 5 s), then exits.
//
// Flags: -use-executor, -version, and the flags engines and language hosts have passed: -tracing
// and -root (obsolete: the project root comes with each request) are accepted; any other flag
// before the engine's address (older engines passed each runtime option as -name=value) is
// ignored rather than refused.
//
// The files: main.go (start-up, stopping, Handshake, Run and the choice of Python), plugins.go
// (RunPlugin, the choice of a plugin's Python, the policy-pack proxy and the plugin output stream)
// and codegen.go (GenerateProgram and GeneratePackage).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// exitCodeUserActionable is what the exec shim returns after it has already shown the user an
// actionable message; the engine is then told to bail without printing a second error.
const exitCodeUserActionable = 32

// programStopDelay is how long a Python program has to exit after SIGTERM (sent when the engine
// abandons the Run, or the host is stopped) before it is killed.
const programStopDelay = 2 * time.Second

// host is the LanguageRuntime service; the engine address and project root come from the
// command line or Handshake.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor string

	// stopping ends when the host is told to stop (SIGINT or SIGTERM): the programs and plugins
	// it runs are then stopped. Nil: never.
	stopping context.Context
	// children counts the programs and plugins running.
	children atomic.Int32

	mu            sync.Mutex
	engineAddress string
	rootDirectory string
}

// main parses the engine's flags, serves the LanguageRuntime service and prints its port, until
// the engine closes it.
func main() {
	flag.String("tracing", "", "ignored: accepted for compatibility with the engine")
	flag.String("root", "", "ignored: the project root comes with each request (obsolete, passed by older engines)")
	showVersion := flag.Bool("version", false, "print the version and exit")
	executor := flag.String("use-executor", "", "path of pulumi-language-python-exec (default: beside this binary)")
	if err := parseFlags(flag.CommandLine, os.Args[1:]); err != nil {
		fail(err)
	}
	if *showVersion {
		fmt.Println(version)
		return
	}

	// Installed before anything runs, so that a SIGINT the host was started with ignored is
	// caught too (Go then stops ignoring it).
	stopping, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := &host{executor: *executor, stopping: stopping}
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
	select {
	case err := <-handle.Done:
		if err != nil {
			fail(err)
		}
	case <-stopping.Done():
		stop() // a second signal ends the host at once
		h.awaitChildren(programStopDelay + pluginWaitDelay)
	}
}

// parseFlags parses the host's flags in args, ignoring those fs does not define: before the first
// argument that is not a flag (the engine's address), an unknown -name=value or -name is dropped.
// Older engines passed every runtime option of the program as a flag (-virtualenv=venv,
// -toolchain=pip, ...), and Pulumi's own language hosts accept flags they no longer use.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var kept []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" || arg == "-" || !strings.HasPrefix(arg, "-") {
			kept = append(kept, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		known := fs.Lookup(name)
		if known == nil {
			continue
		}
		kept = append(kept, arg)
		if b, ok := known.Value.(interface{ IsBoolFlag() bool }); !hasValue && !(ok && b.IsBoolFlag()) &&
			i+1 < len(args) {
			i++ // -name value
			kept = append(kept, args[i])
		}
	}
	return fs.Parse(kept)
}

// childContext is the context a program or plugin run for a request with context ctx stops with:
// ctx's, ended also when the host is told to stop. The returned function releases it.
func (h *host) childContext(ctx context.Context) (context.Context, context.CancelFunc) {
	child, cancel := context.WithCancel(ctx)
	if h.stopping == nil {
		return child, cancel
	}
	release := context.AfterFunc(h.stopping, cancel)
	return child, func() {
		release()
		cancel()
	}
}

// awaitChildren waits, at most for the given time, until no program or plugin runs.
func (h *host) awaitChildren(limit time.Duration) {
	for deadline := time.Now().Add(limit); h.children.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
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

	// The program stops when the engine abandons the Run (it closes the connection) or the host
	// is told to stop: SIGTERM, then SIGKILL after programStopDelay.
	runCtx, release := h.childContext(ctx)
	defer release()
	cmd := exec.CommandContext(runCtx, python, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = programStopDelay
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secrets),
	)
	h.children.Add(1)
	err = cmd.Run()
	h.children.Add(-1)
	if err != nil {
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
