// Command pulumi-language-python is a minimal Python language host for the Pulumi engine.
//
// pulumi-didomi builds the Pulumi CLI from Go modules. The Go module proxy serves the CLI
// (github.com/pulumi/pulumi/pkg/v3) but refuses Pulumi's own Python language host module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) at every version, so
// scripts/ensure-pulumi builds this host instead when that happens. It implements the part of
// the LanguageRuntime gRPC service that `pulumi preview/up/refresh/destroy` use for an on-disk
// Python project: it runs the program through the SDK's own `pulumi-language-python-exec`
// shim (shipped in the github.com/pulumi/pulumi/sdk/v3 module) with the project's Python.
// Everything else (plugin discovery, code generation, templates) answers Unimplemented, which
// the engine treats as "not supported by this language".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// exitCodeUserActionable is what the exec shim returns after it has already shown the user an
// actionable message; the engine is then told to bail without printing a second error.
const exitCodeUserActionable = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor string

	mu            sync.Mutex
	engineAddress string
	rootDirectory string
}

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

	python, err := pythonCommand(root, req.GetInfo())
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

// pythonCommand picks the interpreter: the project's `virtualenv` runtime option (relative to
// the project root), else $PULUMI_PYTHON_CMD, else python3 on PATH.
func pythonCommand(root string, info *pulumirpc.ProgramInfo) (string, error) {
	if info != nil && info.GetOptions() != nil {
		if v, ok := info.GetOptions().GetFields()["virtualenv"]; ok && v.GetStringValue() != "" {
			venv := v.GetStringValue()
			if !filepath.IsAbs(venv) {
				venv = filepath.Join(root, venv)
			}
			python := filepath.Join(venv, "bin", "python")
			if _, err := os.Stat(python); err != nil {
				return "", fmt.Errorf(
					"the virtualenv %s named in Pulumi.yaml does not exist: create it "+
						"(python3 -m venv %s && %s/bin/pip install -e .)", venv, venv, venv)
			}
			return python, nil
		}
	}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		return cmd, nil
	}
	return exec.LookPath("python3")
}
