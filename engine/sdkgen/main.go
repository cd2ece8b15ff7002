// Command sdkgen generates a language SDK for a Pulumi package from its schema with Pulumi's own
// code generator, without a Pulumi language host.
//
// `pulumi package gen-sdk --language python` hands the schema to the Python language host
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which calls
// github.com/pulumi/pulumi/pkg/v3/codegen/python.GeneratePackage. The Go module proxy refuses that
// host's module at every version, and pulumi-didomi's own host (engine/langhost) implements no
// code generation, so the CLI built by scripts/ensure-pulumi cannot generate SDKs. This command
// calls the same generator directly, from the same github.com/pulumi/pulumi/pkg/v3 release as the
// CLI; scripts/gen-sdk builds and runs it. The Node.js and Go generators of that release are called
// the same way, for SDKs in those languages.
//
//	sdkgen --language python|nodejs|go --schema schema.json --out sdk/python
//
// The schema is bound and validated (schema.BindSpec) with a loader that loads no other package:
// a schema that references another Pulumi package's types (or lists dependencies) is refused
// rather than sending Pulumi to look for, or download, that package's plugin.
//
// Every generated file is written under --out, in sorted order, and only when its contents
// changed. Files under --out that this run did not produce are removed, but only when --out is
// empty or was written by sdkgen before (it keeps the list of what it wrote in --out/.sdkgen-files):
// sdkgen never deletes anything outside --out, never follows a symbolic link out of it, and refuses
// to clean a directory it did not write.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// manifestName lists, one per line, the files sdkgen wrote under --out; it marks --out as sdkgen's.
const manifestName = ".sdkgen-files"

// generators maps a --language to the Pulumi code generator for it, which reads its options from
// the schema's language.<name> block. The nodejs and go generators are called as Pulumi's language
// hosts call them for a published SDK (no local dependencies); their output is theirs unchanged.
var generators = map[string]func(tool string, pkg *schema.Package) (map[string][]byte, error){
	"python": generatePython,
	"nodejs": func(tool string, pkg *schema.Package) (map[string][]byte, error) {
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false /* localSDK */, noPackages{})
	},
	"go": func(tool string, pkg *schema.Package) (map[string][]byte, error) {
		return gogen.GeneratePackage(tool, pkg, nil)
	},
}

// generatePython runs Pulumi's Python generator. A dotted language.python.packageName (for example
// "pulumi_didomi.native") makes the SDK a subpackage of another distribution: the generated code
// imports its own modules relatively or by that dotted name, but the generator writes it to a
// directory literally named "pulumi_didomi.native" beside a setup.py/pyproject.toml describing a
// distribution of that name. sdkgen writes it to pulumi_didomi/native/ instead and leaves out that
// distribution metadata, which the parent distribution replaces.
func generatePython(tool string, pkg *schema.Package) (map[string][]byte, error) {
	files, err := python.GeneratePackage(tool, pkg, nil, noPackages{})
	if err != nil {
		return nil, err
	}
	info, _ := pkg.Language["python"].(python.PackageInfo)
	if !strings.Contains(info.PackageName, ".") {
		return files, nil
	}
	prefix := info.PackageName + "/"
	nested := strings.ReplaceAll(info.PackageName, ".", "/") + "/"
	moved := make(map[string][]byte, len(files))
	for name, data := range files {
		switch {
		case strings.HasPrefix(name, prefix):
			moved[nested+strings.TrimPrefix(name, prefix)] = data
		case name == "setup.py" || name == "pyproject.toml":
			// The metadata of a distribution named info.PackageName: not one.
		default:
			moved[name] = data
		}
	}
	return moved, nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: error: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := flag.NewFlagSet("sdkgen", flag.ContinueOnError)
	language := flags.String("language", "", "the SDK language: "+strings.Join(languages(), ", "))
	schemaPath := flags.String("schema", "", "the package schema (JSON)")
	out := flags.String("out", "", "the directory to write the SDK to (created when missing)")
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: sdkgen --language LANG --schema SCHEMA.json --out DIR\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(flags.Args(), " "))
	}
	if *language == "" || *schemaPath == "" || *out == "" {
		flags.Usage()
		return errors.New("--language, --schema and --out are required")
	}
	generate, ok := generators[*language]
	if !ok {
		return fmt.Errorf("no generator for language %q (have: %s)", *language, strings.Join(languages(), ", "))
	}

	pkg, err := bindSchema(*schemaPath)
	if err != nil {
		return err
	}
	files, err := generate(tool(), pkg)
	if err != nil {
		return fmt.Errorf("generating the %s SDK of %s: %w", *language, pkg.Name, err)
	}
	written, removed, err := writeTree(*out, files)
	if err != nil {
		return err
	}
	version := "(no version)"
	if pkg.Version != nil {
		version = pkg.Version.String()
	}
	fmt.Fprintf(os.Stderr, "sdkgen: %s SDK of %s %s: %d files in %s (%d written, %d removed)\n",
		*language, pkg.Name, version, len(files), *out, written, removed)
	return nil
}

func languages() []string {
	var names []string
	for name := range generators {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// tool names the generator in the header of every generated file.
func tool() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/pulumi/pulumi/pkg/v3" {
				return "pulumi-didomi sdkgen (Pulumi codegen " + dep.Version + ")"
			}
		}
	}
	return "pulumi-didomi sdkgen"
}

func bindSchema(path string) (*schema.Package, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("%s: not a Pulumi package schema: %w", path, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	for _, d := range diags {
		if !diags.HasErrors() {
			fmt.Fprintf(os.Stderr, "sdkgen: %s: %s\n", path, d.Error())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s is not a valid Pulumi package schema:\n%s", path, diags.Error())
	}
	return pkg, nil
}

// noPackages is a schema loader that loads no package: the SDK of a package that uses another
// package's types would need that package's schema, which sdkgen does not fetch.
type noPackages struct{}

func (noPackages) refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q: sdkgen generates SDKs of self-contained packages only", name)
}

func (l noPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(name)
}

func (l noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

func (l noPackages) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refuse(name)
}

func (l noPackages) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.refuse(d.Name)
}

// writeTree makes out hold exactly files (plus the manifest), touching only what changed; it
// returns how many files it wrote and removed.
func writeTree(out string, files map[string][]byte) (written, removed int, err error) {
	out = filepath.Clean(out)
	names := make([]string, 0, len(files))
	for name := range files {
		clean := filepath.Clean(filepath.FromSlash(name))
		if filepath.IsAbs(clean) || clean == "." || clean == ".." ||
			strings.HasPrefix(clean, ".."+string(filepath.Separator)) || clean == manifestName {
			return 0, 0, fmt.Errorf("the generator produced a file outside --out: %q", name)
		}
		if clean != name {
			files[clean] = files[name]
			delete(files, name)
		}
		names = append(names, clean)
	}
	sort.Strings(names)

	existing, err := listTree(out)
	if err != nil {
		return 0, 0, err
	}
	if len(existing) > 0 && !slices.Contains(existing, manifestName) {
		return 0, 0, fmt.Errorf("%s is not empty and was not written by sdkgen (no %s): "+
			"give an empty or new directory, or empty this one yourself", out, manifestName)
	}

	// Remove what this run does not produce, deepest first, then the directories that empties.
	for i := len(existing) - 1; i >= 0; i-- {
		name := existing[i]
		if _, keep := files[name]; keep || name == manifestName {
			continue
		}
		if err := os.Remove(filepath.Join(out, name)); err != nil {
			return written, removed, err
		}
		removed++
	}
	if err := removeEmptyDirs(out); err != nil {
		return written, removed, err
	}

	for _, name := range names {
		changed, err := writeIfChanged(filepath.Join(out, name), files[name])
		if err != nil {
			return written, removed, err
		}
		if changed {
			written++
		}
	}
	manifest := strings.Join(names, "\n") + "\n"
	_, err = writeIfChanged(filepath.Join(out, manifestName), []byte(manifest))
	return written, removed, err
}

// listTree lists the files and symbolic links under dir (slash-free relative paths, sorted);
// symbolic links are listed, never followed.
func listTree(dir string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if p == dir {
			if !d.IsDir() {
				return fmt.Errorf("--out %s is not a directory", dir)
			}
			return nil
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			names = append(names, rel)
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

// removeEmptyDirs removes the empty directories below dir (not dir itself).
func removeEmptyDirs(dir string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() && p != dir {
			dirs = append(dirs, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		entries, err := os.ReadDir(dirs[i])
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			if err := os.Remove(dirs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeIfChanged writes data to path unless path already holds it; it reports whether it wrote.
func writeIfChanged(path string, data []byte) (bool, error) {
	// A symbolic link in the way is replaced, never read or written through.
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if err := os.Remove(path); err != nil {
			return false, err
		}
	} else if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	return true, os.WriteFile(path, data, 0o644)
}
