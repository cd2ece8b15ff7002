// The entry point for `pulumi up` with Pulumi's Node.js language host (Pulumi.yaml runs the
// compiled build/index.js): the stack's outputs are the program's.
import { program } from "./program";

export = program();
