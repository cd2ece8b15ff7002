// Runs the quickstart program inline through the Automation API, one step per invocation, and
// prints the step's result as JSON on stdout (the engine's progress goes to stderr):
//
//   node build/driver.js up|preview|refresh|destroy [--stack NAME] [--work-dir DIR]
//        [--config KEY=VALUE]... [--secret KEY=VALUE]...
//
// No Pulumi language host is involved: the program runs in this process. It needs the `pulumi`
// CLI on PATH, the provider plugin `pulumi-resource-didomi` (named in DIR/Pulumi.yaml's
// `plugins: providers:`, else found on PATH), a backend (PULUMI_BACKEND_URL,
// e.g. file://DIR) and, for secrets, PULUMI_CONFIG_PASSPHRASE. --config and --secret set stack
// config before the step (kept in DIR/Pulumi.<stack>.yaml; DIR defaults to this project).
import * as path from "node:path";
import { ConfigMap, LocalWorkspace, OutputMap } from "@pulumi/pulumi/automation";
import { program } from "./program";

const usage =
    "usage: driver up|preview|refresh|destroy [--stack NAME] [--work-dir DIR] " +
    "[--config KEY=VALUE]... [--secret KEY=VALUE]...";

interface Args {
    step: string;
    stack: string;
    workDir: string;
    config: ConfigMap;
}

function parse(argv: string[]): Args {
    const args: Args = { step: "", stack: "dev", workDir: path.join(__dirname, ".."), config: {} };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = (): string => {
            if (i + 1 >= argv.length) throw new Error(`${arg} needs a value\n${usage}`);
            return argv[++i];
        };
        if (arg === "--stack") args.stack = value();
        else if (arg === "--work-dir") args.workDir = path.resolve(value());
        else if (arg === "--config" || arg === "--secret") {
            const item = value();
            const eq = item.indexOf("=");
            if (eq <= 0) throw new Error(`${arg} takes KEY=VALUE, not ${item}`);
            args.config[item.slice(0, eq)] = { value: item.slice(eq + 1), secret: arg === "--secret" };
        } else if (!args.step && !arg.startsWith("-")) args.step = arg;
        else throw new Error(`unexpected argument ${arg}\n${usage}`);
    }
    if (!["up", "preview", "refresh", "destroy"].includes(args.step)) throw new Error(usage);
    return args;
}

/** Output values as JSON, secrets masked. */
function plain(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs).map(([k, o]) => [k, o.secret ? "[secret]" : o.value]),
    );
}

async function main(): Promise<void> {
    const args = parse(process.argv.slice(2));
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: args.stack, projectName: "didomi-typescript-quickstart", program },
        { workDir: args.workDir },
    );
    if (Object.keys(args.config).length > 0) await stack.setAllConfig(args.config);
    const onOutput = (out: string): void => {
        process.stderr.write(out);
    };
    let result: Record<string, unknown>;
    if (args.step === "up") {
        const up = await stack.up({ onOutput });
        result = { changes: up.summary.resourceChanges ?? {}, outputs: plain(up.outputs) };
    } else if (args.step === "preview") {
        const preview = await stack.preview({ onOutput });
        result = { changes: preview.changeSummary };
    } else if (args.step === "refresh") {
        const refresh = await stack.refresh({ onOutput });
        result = { changes: refresh.summary.resourceChanges ?? {} };
    } else {
        const destroy = await stack.destroy({ onOutput });
        result = { changes: destroy.summary.resourceChanges ?? {} };
    }
    process.stdout.write(JSON.stringify({ step: args.step, stack: args.stack, ...result }) + "\n");
}

main().catch((err: unknown) => {
    process.stderr.write(`driver: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
