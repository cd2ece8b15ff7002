// The entry point for `pulumi up` with Pulumi's Go language host (Pulumi.yaml, runtime go).
package main

import (
	"github.com/pulumi-didomi/pulumi-didomi/examples/go-quickstart/quickstart"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(quickstart.Program)
}
