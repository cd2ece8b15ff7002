"""Notice configurations (`/widgets/notices/configs`): drafts and published configurations."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ._base import ClientBase, page_items
from .config_fields import WRITABLE_CONFIG_FIELDS, NoticeConfigFields, config_rule_violations
from .errors import APIError, ConfigurationError
from .models import NoticeConfig

_CONFIGS = "/widgets/notices/configs"


class Configs(ClientBase):
    """Notice configurations: the part of `DidomiClient` for `/widgets/notices/configs`
    (always with Didomi's header `v: 2`)."""

    def current_draft(self, notice_id: str, organization_id: str | None = None) -> NoticeConfig:
        """The notice's one editable configuration: one GET."""
        params: dict[str, Any] = {"notice_id": notice_id, "deployed_at": "null"}
        org = organization_id or self.organization_id
        if org:
            params["organization_id"] = org
        items = page_items(self._call("GET", _CONFIGS, params=params, versioned=True))
        if not items:
            raise APIError(
                "GET",
                _CONFIGS,
                404,
                {"name": "NotFound", "message": f"notice {notice_id} has no draft configuration"},
                hint="check that the notice id exists in this organization",
            )
        return NoticeConfig.model_validate(items[0])

    def drafts(self, organization_id: str | None = None) -> dict[str, NoticeConfig]:
        """The draft of every notice of an organization, by notice id: ceil(n/100) calls."""
        params = {"organization_id": self._org(organization_id), "deployed_at": "null"}
        configs = map(NoticeConfig.model_validate, self._pages(_CONFIGS, params, versioned=True))
        return {c.notice_id: c for c in configs}

    def get_config(self, config_id: str) -> NoticeConfig:
        """One configuration (draft or published)."""
        data = self._call("GET", "/widgets/notices/configs/{id}", versioned=True, id=config_id)
        return NoticeConfig.model_validate(data)

    def list_configs(
        self, notice_id: str, organization_id: str | None = None, published_only: bool = False
    ) -> list[NoticeConfig]:
        """A notice's configurations, newest first."""
        params: dict[str, Any] = {"notice_id": notice_id, "$sort[created_at]": -1}
        org = organization_id or self.organization_id
        if org:
            params["organization_id"] = org
        if published_only:
            params["deployed_at[$ne]"] = "null"
        return [
            NoticeConfig.model_validate(c) for c in self._pages(_CONFIGS, params, versioned=True)
        ]

    def update_draft(
        self, config_id: str, fields: dict[str, Any], *, checked: bool = False
    ) -> NoticeConfig:
        """PATCH writable fields of a draft: one call, nothing sent if `fields` is invalid.

        `checked=True`: the body is built from inputs the provider's `check` validated
        (`pulumi_didomi.core.fields.config_problems`, from the same field table) and from
        Didomi's own values; it is sent as it is, not validated a second time.
        """
        if not checked:
            validate_config_fields(fields)
        data = self._call(
            "PATCH",
            "/widgets/notices/configs/{id}",
            json=fields,
            versioned=True,
            draft=True,
            id=config_id,
        )
        return NoticeConfig.model_validate(data)


def validate_config_fields(fields: dict[str, Any]) -> None:
    """Raise `ConfigurationError` naming each invalid field of a draft update (a PATCH body:
    the fields it does not carry are unchanged on Didomi)."""
    unknown = sorted(set(fields) - WRITABLE_CONFIG_FIELDS)
    problems: list[str] = [f"{name}: not a writable notice configuration field" for name in unknown]
    try:
        NoticeConfigFields.model_validate(
            {k: v for k, v in fields.items() if k not in unknown}, strict=True
        )
    except ValidationError as exc:
        problems += [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    problems += [
        f"{name}: {reason}" for name, reason in config_rule_violations(fields, partial=True)
    ]
    if problems:
        raise ConfigurationError("invalid notice configuration: " + "; ".join(problems))
