"""Didomi's documented defaults and limits, defined once for the client, the emulator and the bench.

A neutral module (neither the client nor the emulator, which reads Didomi independently); no heavy
import: programs use it.
"""

#: The production API.
DEFAULT_API_URL = "https://api.didomi.io/v1"
#: The largest page a list route returns (`$limit`).
PAGE_SIZE = 100
#: Didomi's quota of notice deployments running at once per organization.
MAX_PARALLEL_DEPLOYMENTS = 3
#: Didomi's documented rate limit: 100 requests per 15 seconds per organization.
DIDOMI_RATE_LIMIT = (100, 15.0)
#: Where Didomi's web SDK loads from (the console's embed code).
WEB_SDK_URL = "https://sdk.privacy-center.org"
