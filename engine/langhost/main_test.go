package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
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
