"""Loaded by the schemathesis CLI that `test_openapi_contract.py` runs (`hooks` in its config),
in that process: the contract checks, and most generated ids replaced by ids of the emulator's
records so that requests reach real notices, drafts, deployments and widgets.

Environment: `DIDOMI_CONTRACT_URL` (the emulator), `DIDOMI_CONTRACT_COUNTS` (a file where the
records created to keep a few are counted at exit, by `POST <route>`: not generated requests).
"""

from __future__ import annotations

import atexit
import json
import os
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from schemathesis import Case, HookContext, Response

from tests.conftest import ORG_A
from tests.emulator.api import Api
from tests.emulator.didomi_contract import download_answers_csv, refuses_only_documented_rules

#: Fixed: the same substitutions at every run (the emulator's ids aside).
SEED = 30

ORG = ORG_A.split(":", 1)[0]


def _strings(container: Any) -> dict[str, Any]:
    """A request part whose generated string values may be replaced (empty when not a dict);
    values of other types are left alone, so a part generated invalid stays invalid."""
    return container if isinstance(container, dict) else {}


class Records:
    """Ids of the emulator's records, drawn into generated requests so that most of them reach
    a real notice, configuration, deployment, widget, vendor, purpose, template or text (a
    generated id is always unknown)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.api = Api(url, ORG_A)
        self.rng = random.Random(SEED)
        self._known: dict[str, list[dict[str, Any]]] = {}
        #: Records created to keep a few, by `POST <route>` (not generated requests: left out
        #: of the counts).
        self.topped_up: Counter[str] = Counter()

    def _data(self, collection: str) -> list[dict[str, Any]]:
        """The collection's records, read again only after a request that may have added or
        removed one (`forget`)."""
        if collection not in self._known:
            url = f"{self.url}/_emulator/data/{collection}"
            found = httpx.get(url, timeout=30).json()
            self._known[collection] = [d for d in found if d["organization_id"] in (ORG, "")]
        return self._known[collection]

    def forget(self, case: Case) -> None:
        """After a request that may create or delete records (POST, DELETE): read them again."""
        if case.method.upper() in ("POST", "DELETE"):
            self._known.clear()

    def notices(self) -> list[dict[str, Any]]:
        """The organization's notices, a few created when deletes left too few."""
        found = self._data("notices")
        while len(found) < 3:
            found.append(self.api.new_notice(f"seed {len(found)}"))
            self._known.pop("configs", None)
            self.topped_up["POST /widgets/notices"] += 1
        return found

    def custom(self, collection: str) -> list[dict[str, Any]]:
        """The organization's own vendors, purposes or storages, a few created when deletes
        left too few."""
        found = [d for d in self._data(collection) if d["organization_id"] == ORG]
        while len(found) < 3:
            if collection == "purposes":
                found.append(self.api.new_purpose(f"seed {len(found)}"))
                route = "POST /metadata/purposes"
            elif collection == "partners":
                found.append(self.api.new_vendor(f"seed {len(found)}"))
                route = "POST /metadata/partners"
            else:
                partner = self.rng.choice(self.custom("partners"))
                found.append(self.api.new_storage(partner["id"]))
                route = "POST /metadata/partners-storages"
            self._known.pop(collection, None)
            self.topped_up[route] += 1
        return found

    def kept(self, collection: str) -> list[dict[str, Any]]:
        """The organization's templates, template configurations, texts or text contents, a
        few created when deletes left too few (a template brings its configuration)."""
        found = self._data(collection)
        while len(found) < 3:
            if collection in ("templates", "template_configs"):
                self.api.new_template(f"seed {len(found)}")
                route = "POST /widgets/notices/templates"
            elif collection == "texts":
                self.api.new_text(f"seed {len(found)}")
                route = "POST /widgets/notices/texts"
            else:
                self.api.new_text_content(self.rng.choice(self.kept("texts"))["id"])
                route = "POST /widgets/notices/texts-contents"
            for stale in ("templates", "template_configs", collection):
                self._known.pop(stale, None)
            found = self._data(collection)
            self.topped_up[route] += 1
        return found

    def _metadata_ids(self, collection: str, custom: float) -> list[str]:
        """Ids of the organization's own records (with probability `custom`), else Didomi's
        global ones."""
        if collection == "partners_storages" or self.rng.random() < custom:
            return [d["id"] for d in self.custom(collection)]
        return [d["id"] for d in self._data(collection) if d["organization_id"] == ""]

    def _replace_items(
        self, part: dict[str, Any], name: str, ids: Callable[[], list[str]], p: float
    ) -> None:
        """With probability `p`, each generated string of the list `part[name]` becomes one of
        `ids()`."""
        items = part.get(name)
        if isinstance(items, list) and self.rng.random() < p:
            found = ids()
            if found:
                part[name] = [self.rng.choice(found) if isinstance(i, str) else i for i in items]

    def _replace(
        self, part: dict[str, Any], name: str, ids: Callable[[], list[str]], p: float
    ) -> None:
        """With probability `p`, `part[name]` (a generated string) becomes one of `ids()`."""
        if isinstance(part.get(name), str) and self.rng.random() < p:
            found = ids()
            if found:
                part[name] = self.rng.choice(found)

    def _kept_ids(self, collection: str) -> list[str]:
        return [d["id"] for d in self.kept(collection)]

    def _ids(self, collection: str, **where: Any) -> list[str]:
        docs = self.notices() if collection == "notices" else self._data(collection)
        return [d["id"] for d in docs if all(d.get(k) == v for k, v in where.items())]

    def substitute(self, case: Case) -> None:
        """Replace generated ids in `case` by ids of existing records (most of the time)."""
        path = case.operation.path
        ids, query, body = case.path_parameters, _strings(case.query), _strings(case.body)
        if path == "/sessions":  # the organization's API key and secret, now and then both
            key, secret = ORG_A.split(":")[1:]
            self._replace(body, "key", lambda: [key], 0.7)
            self._replace(body, "secret", lambda: [secret], 0.7)
        elif path.startswith("/organizations"):
            self._replace(ids, "id", lambda: [ORG], 0.85)
        elif path.startswith("/widgets/notices/configs"):
            drafts: dict[str, Any] = {"deployed_at": None} if self.rng.random() < 0.8 else {}
            self._replace(ids, "id", lambda: self._ids("configs", **drafts), 0.85)
        elif path.startswith("/widgets/notices/deployments/"):
            self._replace(ids, "id", lambda: self._ids("notice_deployments"), 0.85)
        elif path.startswith("/widgets/notices/templates/configs"):
            self._replace(ids, "id", lambda: self._kept_ids("template_configs"), 0.85)
        elif path.startswith("/widgets/notices/templates"):
            self._replace(ids, "id", lambda: self._kept_ids("templates"), 0.85)
            self._replace_items(body, "notices_id", lambda: self._ids("notices"), 0.85)
        elif path.startswith("/widgets/notices/texts-contents"):
            self._replace(ids, "id", lambda: self._kept_ids("text_contents"), 0.85)
            self._replace(body, "text_id", lambda: self._kept_ids("texts"), 0.85)
        elif path.startswith("/widgets/notices/texts"):
            self._replace(ids, "id", lambda: self._kept_ids("texts"), 0.85)
        elif path.startswith("/widgets/notices"):
            self._replace(ids, "id", lambda: self._ids("notices"), 0.85)
            self._replace(query, "duplicate", lambda: self._ids("notices"), 0.6)
        self._replace(body, "organization_id", lambda: [ORG], 0.9)
        self._replace(query, "organization_id", lambda: [ORG], 0.9)
        if path == "/widgets/notices/deployments" and case.method.upper() == "POST":
            self._replace(body, "notice_id", lambda: self._ids("notices"), 0.85)
            of_notice = {"notice_id": body.get("notice_id")}
            if self.rng.random() < 0.85:
                of_notice["deployed_at"] = None  # mostly its draft, else any of its configs
            self._replace(
                body, "production_config_id", lambda: self._ids("configs", **of_notice), 0.8
            )
        elif path.startswith("/metadata/partners-storages"):
            self._replace(ids, "id", lambda: self._metadata_ids("partners_storages", 1), 0.85)
            self._replace(body, "partner_id", lambda: self._metadata_ids("partners", 1), 0.85)
        elif path.startswith("/metadata/partners/"):
            self._replace(ids, "id", lambda: self._metadata_ids("partners", 0.8), 0.85)
        elif path.startswith("/metadata/purposes/"):
            self._replace(ids, "id", lambda: self._metadata_ids("purposes", 0.8), 0.85)
        if path.startswith("/metadata/"):
            self._replace(body, "category_id", lambda: self._ids("partners_categories"), 0.85)
            purposes = lambda: self._metadata_ids("purposes", 0.5)  # noqa: E731
            for name in (
                "default_purposes_id",
                "legitimate_interest_purposes_id",
                "spi_purposes_id",
                "purposes_id",
            ):
                self._replace_items(body, name, purposes, 0.7)
        # The emulator's own routes (widgets, reference §9), by their parameter names.
        self._replace(ids, "widget_id", lambda: self._ids("widgets"), 0.85)
        self._replace(ids, "deployment_id", lambda: self._ids("widget_deployments"), 0.85)
        self._replace(body, "widget_id", lambda: self._ids("widgets"), 0.85)
        self._replace(ids, "api_key", self._public_keys, 0.85)

    def _public_keys(self) -> list[str]:
        found = httpx.get(f"{self.url}/_emulator/organizations", timeout=10).json()
        return [o["public_api_key"] for o in found if o["id"] == ORG]


schemathesis.check(refuses_only_documented_rules)
schemathesis.check(download_answers_csv)

RECORDS = Records(os.environ["DIDOMI_CONTRACT_URL"])


@schemathesis.hook
def before_call(context: HookContext, case: Case, kwargs: dict[str, Any]) -> None:
    """Most generated ids become ids of existing records."""
    RECORDS.substitute(case)


@schemathesis.hook
def after_call(context: HookContext, case: Case, response: Response) -> None:
    """Records may have been created or deleted: read them again when next needed."""
    RECORDS.forget(case)


@atexit.register
def _write_counts() -> None:
    Path(os.environ["DIDOMI_CONTRACT_COUNTS"]).write_text(json.dumps(RECORDS.topped_up))
