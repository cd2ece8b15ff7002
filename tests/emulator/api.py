"""A bare HTTP helper for emulator tests (deliberately not the pulumi_didomi client)."""

from __future__ import annotations

from typing import Any

import httpx


class Api:
    """Authenticated raw calls to an emulator."""

    def __init__(self, url: str, credential: str, prefix: str = "/v1") -> None:
        org, key, secret = credential.split(":", 2)
        self.org = org
        self.http = httpx.Client(base_url=url + prefix, timeout=10)
        r = self.http.post("/sessions", json={"type": "api-key", "key": key, "secret": secret})
        assert r.status_code == 201, r.text
        self.token = r.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.http.headers["v"] = "2"

    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.http.request(method, path, **kw)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    def new_notice(self, name: str = "Main website") -> dict[str, Any]:
        return dict(
            self.ok(
                "POST", "/widgets/notices", 201, json={"organization_id": self.org, "name": name}
            )
        )

    def draft(self, notice_id: str) -> dict[str, Any]:
        page = self.ok(
            "GET",
            "/widgets/notices/configs",
            params={"notice_id": notice_id, "deployed_at": "null", "organization_id": self.org},
        )
        assert page["total"] == 1, page
        return dict(page["data"][0])

    def post_deployment(self, notice_id: str, config_id: str, message: str = "") -> httpx.Response:
        """POST a notice deployment and return the raw response."""
        body = {
            "notice_id": notice_id,
            "organization_id": self.org,
            "production_config_id": config_id,
            "message": message,
        }
        return self.http.post("/widgets/notices/deployments", json=body)

    def deploy(self, notice_id: str, config_id: str, message: str = "") -> dict[str, Any]:
        r = self.post_deployment(notice_id, config_id, message)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def deployments(self, notice_id: str) -> list[dict[str, Any]]:
        """The notice's deployments, newest first."""
        page = self.ok(
            "GET",
            "/widgets/notices/deployments",
            params={"notice_id": notice_id, "$sort[created_at]": -1},
        )
        return list(page["data"])

    def new_widget(self, name: str = "Preference center", **fields: Any) -> dict[str, Any]:
        """POST a widget of this organization (201 expected)."""
        return dict(
            self.ok(
                "POST",
                "/widgets",
                201,
                params={"organization_id": self.org},
                json={"name": name, **fields},
            )
        )

    def new_purpose(self, name: str = "Analytics", **fields: Any) -> dict[str, Any]:
        """POST a custom purpose of this organization, texts in English and French."""
        body = {
            "description": {"en": name, "fr": f"{name} (fr)"},
            "details": {"en": f"What {name} does", "fr": f"Ce que fait {name}"},
            "organization_id": self.org,
            **fields,
        }
        params = {"$translations": "true"}
        return dict(self.ok("POST", "/metadata/purposes", 201, params=params, json=body))

    def new_vendor(
        self, name: str = "Tracker", category_id: str = "analytics", **fields: Any
    ) -> dict[str, Any]:
        """POST a custom vendor of this organization."""
        body = {"name": name, "category_id": category_id, "organization_id": self.org, **fields}
        return dict(self.ok("POST", "/metadata/partners", 201, json=body))

    def new_storage(self, partner_id: str, **fields: Any) -> dict[str, Any]:
        """POST a cookie of a custom vendor."""
        body = {
            "partner_id": partner_id,
            "type": "cookie",
            "identifier": "_id",
            "domain": "tracker.example",
            "max_age": 13,
            "max_age_unit": "months",
            **fields,
        }
        return dict(self.ok("POST", "/metadata/partners-storages", 201, json=body))

    def new_template(self, name: str = "Europe", notices_id: list[str] | None = None) -> Any:
        """POST a vendor-list template of this organization (its configuration comes along)."""
        body = {"name": name, "notices_id": notices_id or []}
        params = {"organization_id": self.org}
        return dict(self.ok("POST", "/widgets/notices/templates", 201, params=params, json=body))

    def new_text(self, name: str = "Main", **fields: Any) -> dict[str, Any]:
        """POST a notice text of this organization."""
        body = {"organization_id": self.org, "name": name, "platforms": ["web"], **fields}
        return dict(self.ok("POST", "/widgets/notices/texts", 201, json=body))

    def new_text_content(self, text_id: str, content: str = "We use cookies") -> dict[str, Any]:
        """POST a content of a text (submitted for approval)."""
        body = {"organization_id": self.org, "text_id": text_id, "content": content}
        return dict(self.ok("POST", "/widgets/notices/texts-contents", 201, json=body))

    def rejected(self, method: str, path: str, field: str, status: int = 400, **kw: Any) -> Any:
        """Call, expect a Feathers error of `status` whose `errors` name `field`."""
        r = self.http.request(method, path, **kw)
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        body = r.json()
        assert body["code"] == status and field in body["errors"], body
        return body
