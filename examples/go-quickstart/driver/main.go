// Command driver runs the quickstart program inline through the Automation API, one step per
// invocation, and prints the step's result as JSON on stdout (the engine's progress goes to
// stderr):
//
//	go run ./driver up|preview|refresh|destroy [--stack NAME] [--work-dir DIR]
//	    [--config KEY=VALUE]... [--secret KEY=VALUE]...
//
// No Pulumi language host is involved: the program runs in this process. It needs the `pulumi`
// CLI on PATH, the provider plugin `pulumi-resource-didomi` (named in DIR/Pulumi.yaml's
// `plugins: providers:`, else found on PATH), a backend (PULUMI_BACKEND_URL,
// e.g. file://DIR) and, for secrets, PULUMI_CONFIG_PASSPHRASE. --config and --secret set stack
// config before the step (kept in DIR/Pulumi.<stack>.yaml; DIR defaults to the current directory).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi-didomi/pulumi-didomi/examples/go-quickstart/quickstart"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

const usage = "usage: driver up|preview|refresh|destroy [--stack NAME] [--work-dir DIR] " +
	"[--config KEY=VALUE]... [--secret KEY=VALUE]..."

// configFlag collects repeated KEY=VALUE flags into a config map.
type configFlag struct {
	values auto.ConfigMap
	secret bool
}

func (c configFlag) String() string { return "" }

func (c configFlag) Set(item string) error {
	key, value, ok := strings.Cut(item, "=")
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE, not %q", item)
	}
	c.values[key] = auto.ConfigValue{Value: value, Secret: c.secret}
	return nil
}

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "driver: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New(usage)
	}
	step := args[0]
	flags := flag.NewFlagSet("driver", flag.ContinueOnError)
	stackName := flags.String("stack", "dev", "the stack")
	workDir := flags.String("work-dir", ".", "the project directory (Pulumi.yaml, stack config)")
	config := auto.ConfigMap{}
	flags.Var(configFlag{config, false}, "config", "stack config KEY=VALUE (repeatable)")
	flags.Var(configFlag{config, true}, "secret", "secret stack config KEY=VALUE (repeatable)")
	if err := flags.Parse(args[1:]); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v\n%s", flags.Args(), usage)
	}

	stack, err := auto.UpsertStackInlineSource(ctx, *stackName, "didomi-go-quickstart",
		quickstart.Program, auto.WorkDir(*workDir))
	if err != nil {
		return err
	}
	if len(config) > 0 {
		if err := stack.SetAllConfig(ctx, config); err != nil {
			return err
		}
	}
	result := map[string]any{"step": step, "stack": *stackName}
	switch step {
	case "up":
		up, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		outputs := map[string]any{}
		for name, out := range up.Outputs {
			outputs[name] = out.Value
			if out.Secret {
				outputs[name] = "[secret]"
			}
		}
		result["changes"], result["outputs"] = changes(up.Summary.ResourceChanges), outputs
	case "preview":
		preview, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		result["changes"] = preview.ChangeSummary
	case "refresh":
		refresh, err := stack.Refresh(ctx, optrefresh.ProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		result["changes"] = changes(refresh.Summary.ResourceChanges)
	case "destroy":
		destroy, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		result["changes"] = changes(destroy.Summary.ResourceChanges)
	default:
		return errors.New(usage)
	}
	return json.NewEncoder(os.Stdout).Encode(result)
}

// changes is an update's count of resources per operation (none when the summary has none).
func changes(counts *map[string]int) map[string]int {
	if counts == nil {
		return map[string]int{}
	}
	return *counts
}
