package main

import (
	"context"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	codegenrpc "github.com/pulumi/pulumi/sdk/v3/proto/go/codegen"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// demoSchema is a small package schema the tests' schema loader serves and GeneratePackage is
// given.
const demoSchema = `{
  "name": "demo",
  "version": "1.2.3",
  "resources": {
    "demo:index:Thing": {
      "inputProperties": {"label": {"type": "string"}, "size": {"type": "integer"}},
      "requiredInputs": ["label"],
      "properties": {"label": {"type": "string"}, "size": {"type": "integer"}},
      "required": ["label"]
    }
  },
  "language": {"python": {"packageName": "pulumi_demo"}}
}`

// fakeLoader is the engine's schema loader service, serving one schema by package name.
type fakeLoader struct {
	codegenrpc.UnimplementedLoaderServer

	schemas map[string]string

	mu        sync.Mutex
	requested []string
}

// GetSchema returns the schema of the requested package, or NotFound.
func (l *fakeLoader) GetSchema(
	_ context.Context, req *codegenrpc.GetSchemaRequest,
) (*codegenrpc.GetSchemaResponse, error) {
	l.mu.Lock()
	l.requested = append(l.requested, req.GetPackage())
	l.mu.Unlock()
	spec, ok := l.schemas[req.GetPackage()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no schema for %s", req.GetPackage())
	}
	return &codegenrpc.GetSchemaResponse{Schema: []byte(spec)}, nil
}

// serveLoader serves l on a local port for the duration of the test and returns its address.
func serveLoader(t *testing.T, l *fakeLoader) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	codegenrpc.RegisterLoaderServer(srv, l)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// TestGenerateProgram generates the Python of a PCL program that uses a package the loader
// serves, with an invoke-free resource and a reference between resources.
func TestGenerateProgram(t *testing.T) {
	loader := &fakeLoader{schemas: map[string]string{"demo": demoSchema}}
	resp, err := (&host{}).GenerateProgram(context.Background(), &pulumirpc.GenerateProgramRequest{
		Source: map[string]string{"main.pp": `resource first "demo:index:Thing" {
  label = "one"
  size  = 3
}

resource second "demo:index:Thing" {
  label = first.label
}
`},
		LoaderTarget: serveLoader(t, loader),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDiagnostics()) != 0 {
		t.Fatalf("diagnostics: %v", resp.GetDiagnostics())
	}
	main, ok := resp.GetSource()["__main__.py"]
	if !ok {
		t.Fatalf("no __main__.py in %v", slices.Collect(maps.Keys(resp.GetSource())))
	}
	for _, want := range []string{
		"import pulumi_demo as demo",
		`first = demo.Thing("first",`,
		`label="one"`,
		"size=3",
		`second = demo.Thing("second", label=first.label)`,
	} {
		if !strings.Contains(string(main), want) {
			t.Errorf("__main__.py lacks %q:\n%s", want, main)
		}
	}
	if !slices.Contains(loader.requested, "demo") {
		t.Errorf("the schema loader was asked for %v, not demo", loader.requested)
	}
}

// TestGenerateProgramReportsDiagnostics checks that PCL that does not parse, or does not bind,
// comes back as error diagnostics naming the file, with no source and no RPC error.
func TestGenerateProgramReportsDiagnostics(t *testing.T) {
	target := serveLoader(t, &fakeLoader{schemas: map[string]string{"demo": demoSchema}})
	for name, source := range map[string]string{
		"syntax":           "resource first \"demo:index:Thing\" {\n  label = \n",
		"unknown type":     "resource first \"demo:index:Nothing\" {\n  label = \"x\"\n}\n",
		"unknown property": "resource first \"demo:index:Thing\" {\n  label = \"x\"\n  color = 1\n}\n",
		"wrong type":       "resource first \"demo:index:Thing\" {\n  label = \"x\"\n  size = [1]\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := (&host{}).GenerateProgram(context.Background(), &pulumirpc.GenerateProgramRequest{
				Source:       map[string]string{"broken.pp": source},
				LoaderTarget: target,
				Strict:       true,
			})
			if err != nil {
				t.Fatalf("RPC error %v, want diagnostics", err)
			}
			if len(resp.GetSource()) != 0 {
				t.Errorf("source generated despite errors: %v", resp.GetSource())
			}
			var errs []string
			for _, d := range resp.GetDiagnostics() {
				if d.GetSeverity() == codegenrpc.DiagnosticSeverity_DIAG_ERROR {
					errs = append(errs, d.GetSummary())
					if d.GetSubject() != nil && d.GetSubject().GetFilename() != "broken.pp" {
						t.Errorf("diagnostic %q points at %q", d.GetSummary(), d.GetSubject().GetFilename())
					}
				}
			}
			if len(errs) == 0 {
				t.Errorf("no error diagnostic among %v", resp.GetDiagnostics())
			}
		})
	}
}

// TestGenerateProgramWithAnUnknownPackage checks that a package whose schema the engine cannot
// load is, with strict binding, an RPC error that names it, and without (as for `pulumi import`)
// a warning diagnostic next to the generated source.
func TestGenerateProgramWithAnUnknownPackage(t *testing.T) {
	target := serveLoader(t, &fakeLoader{})
	req := &pulumirpc.GenerateProgramRequest{
		Source:       map[string]string{"main.pp": "resource first \"other:index:Thing\" {\n  label = \"x\"\n}\n"},
		LoaderTarget: target,
		Strict:       true,
	}
	if _, err := (&host{}).GenerateProgram(context.Background(), req); err == nil ||
		!strings.Contains(err.Error(), "other") {
		t.Errorf("strict: err = %v, want an error naming the package", err)
	}

	req.Strict = false
	resp, err := (&host{}).GenerateProgram(context.Background(), req)
	if err != nil {
		t.Fatalf("lax: %v", err)
	}
	warned := slices.ContainsFunc(resp.GetDiagnostics(), func(d *codegenrpc.Diagnostic) bool {
		return d.GetSeverity() == codegenrpc.DiagnosticSeverity_DIAG_WARNING &&
			strings.Contains(d.GetSummary(), "unknown package 'other'")
	})
	if !warned || !strings.Contains(string(resp.GetSource()["__main__.py"]), "import pulumi_other as other") {
		t.Errorf("lax: want a warning and source, got %v", resp)
	}
}

// TestGenerateProgramWithoutLoader checks that a request without a loader address is refused
// rather than crashing the host.
func TestGenerateProgramWithoutLoader(t *testing.T) {
	_, err := (&host{}).GenerateProgram(context.Background(), &pulumirpc.GenerateProgramRequest{
		Source: map[string]string{"main.pp": ""},
	})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("err = %v, want InvalidArgument", err)
	}
}

// TestGeneratePackage writes the Python SDK of a schema, with an extra file (an overlay, which the
// generator puts in the Python package's directory), into the requested directory.
func TestGeneratePackage(t *testing.T) {
	dir := t.TempDir()
	resp, err := (&host{}).GeneratePackage(context.Background(), &pulumirpc.GeneratePackageRequest{
		Directory:    dir,
		Schema:       demoSchema,
		ExtraFiles:   map[string][]byte{"extra.txt": []byte("overlay")}, // relative to the package
		LoaderTarget: serveLoader(t, &fakeLoader{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetDiagnostics()) != 0 {
		t.Fatalf("diagnostics: %v", resp.GetDiagnostics())
	}
	for name, want := range map[string]string{
		"setup.py":                       "name='pulumi_demo'",
		"pulumi_demo/__init__.py":        "from .thing import *",
		"pulumi_demo/thing.py":           "class Thing(pulumi.CustomResource):",
		"pulumi_demo/pulumi-plugin.json": `"name": "demo"`,
		"pulumi_demo/extra.txt":          "overlay",
	} {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, data)
		}
	}
}

// TestGeneratePackageReportsSchemaErrors checks that a schema that does not bind comes back as
// error diagnostics and writes nothing, and that one that is not JSON is an InvalidArgument.
func TestGeneratePackageReportsSchemaErrors(t *testing.T) {
	target := serveLoader(t, &fakeLoader{})
	dir := t.TempDir()
	broken := strings.Replace(demoSchema, `"size": {"type": "integer"}}`, `"size": {"type": "nope"}}`, 1)
	resp, err := (&host{}).GeneratePackage(context.Background(), &pulumirpc.GeneratePackageRequest{
		Directory: dir, Schema: broken, LoaderTarget: target,
	})
	if err != nil {
		t.Fatalf("RPC error %v, want diagnostics", err)
	}
	hasError := slices.ContainsFunc(resp.GetDiagnostics(), func(d *codegenrpc.Diagnostic) bool {
		return d.GetSeverity() == codegenrpc.DiagnosticSeverity_DIAG_ERROR
	})
	if !hasError {
		t.Errorf("no error diagnostic among %v", resp.GetDiagnostics())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written despite schema errors: %v", entries)
	}

	_, err = (&host{}).GeneratePackage(context.Background(), &pulumirpc.GeneratePackageRequest{
		Directory: dir, Schema: "{", LoaderTarget: target,
	})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("err = %v, want InvalidArgument for a schema that is not JSON", err)
	}
}

// TestWriteFilesStaysInsideTheDirectory checks that a generated path escaping the output
// directory is refused.
func TestWriteFilesStaysInsideTheDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := writeFiles(dir, map[string][]byte{"../escape.py": nil}); err == nil {
		t.Error("writeFiles wrote ../escape.py")
	}
	if err := writeFiles(dir, map[string][]byte{"a/b.py": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "a", "b.py")); err != nil || string(data) != "x" {
		t.Errorf("a/b.py = %q, %v", data, err)
	}
}
