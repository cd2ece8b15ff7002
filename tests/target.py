"""Where lifecycle tests run: the emulator, or a real Didomi organization (acceptance mode).

`DIDOMI_ACCEPTANCE=1` with `DIDOMI_API_KEY`, `DIDOMI_API_SECRET`, `DIDOMI_ORGANIZATION_ID` (and
optionally `DIDOMI_API_URL`, default `https://api.didomi.io/v1`) runs the tests that use the
`target` fixture against that organization, as Terraform providers' acceptance tests do. The
tests create their own notices, named `pulumi-didomi-acc-<run>-…`, and delete them at the end:
what remains is what Didomi keeps by design, the deployments (its audit log).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.emulator.api import Api
from tests.helpers import EmulatorProcess


def acceptance() -> bool:
    """True when the tests target a real Didomi organization."""
    return os.environ.get("DIDOMI_ACCEPTANCE", "").strip().lower() in ("1", "true", "yes")


def acceptance_credential() -> tuple[str, str]:
    """(base URL without `/v1`, `org:key:secret`) from the DIDOMI_* environment."""
    missing = [
        name
        for name in ("DIDOMI_API_KEY", "DIDOMI_API_SECRET", "DIDOMI_ORGANIZATION_ID")
        if not os.environ.get(name)
    ]
    if missing:
        raise RuntimeError(f"DIDOMI_ACCEPTANCE=1 needs {', '.join(missing)}")
    url = os.environ.get("DIDOMI_API_URL", "https://api.didomi.io/v1").rstrip("/")
    base = url[: -len("/v1")] if url.endswith("/v1") else url
    org, key = os.environ["DIDOMI_ORGANIZATION_ID"], os.environ["DIDOMI_API_KEY"]
    return base, f"{org}:{key}:{os.environ['DIDOMI_API_SECRET']}"


class TrackedApi(Api):
    """Raw API calls; notices it creates get the run's prefix and are remembered."""

    def __init__(self, url: str, credential: str, prefix: str, created: list[str]) -> None:
        super().__init__(url, credential)
        self.prefix = prefix
        self.created = created

    def new_notice(self, name: str = "Main website") -> dict[str, Any]:
        notice = super().new_notice(f"{self.prefix}{name}")
        self.created.append(notice["id"])
        return notice


@dataclass
class Target:
    """A Didomi API the CLI and the tests talk to."""

    url: str
    credential: str
    emulator: EmulatorProcess | None = None
    prefix: str = field(default_factory=lambda: f"pulumi-didomi-acc-{uuid.uuid4().hex[:8]}-")
    created: list[str] = field(default_factory=list)

    def api(self) -> TrackedApi:
        return TrackedApi(self.url, self.credential, self.prefix, self.created)

    def snapshot(self) -> Any:
        """Everything a failed command must leave unchanged (configurations and deployments)."""
        if self.emulator is not None:
            return {c: self.emulator.data(c) for c in ("configs", "notice_deployments")}
        api = self.api()
        return {
            notice: (
                api.ok("GET", "/widgets/notices/configs", params={"notice_id": notice}),
                api.ok("GET", "/widgets/notices/deployments", params={"notice_id": notice}),
            )
            for notice in self.created
        }

    def close(self) -> None:
        """On a real organization, delete the notices the tests created (deployments stay)."""
        if self.emulator is not None or not self.created:
            return
        api = self.api()
        for notice in self.created:
            api.http.delete(f"/widgets/notices/{notice}")
