"""Create notices and a widget on a Didomi API (the local emulator) for the examples.

Usage: python examples/seed.py URL ORG KEY SECRET [NOTICES]  -> prints JSON with the ids.
"""

import json
import sys

from pulumi_didomi.client import DidomiClient


def main() -> None:
    url, org, key, secret = sys.argv[1:5]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    with DidomiClient(key, secret, base_url=url, organization_id=org) as api:
        notices = [api.create_notice(f"Notice {i + 1}").id for i in range(count)]
        widget = api.create_widget("Preference center")
    print(json.dumps({"notices": notices, "widget": widget.id}))


if __name__ == "__main__":
    main()
