"""`python -m pulumi_didomi.provider <engine address>`: the provider plugin."""

from pulumi_didomi.provider import main

main()
