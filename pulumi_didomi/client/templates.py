"""Vendor-list templates and their configurations (`/widgets/notices/templates*`), approved
texts and their contents (`/widgets/notices/texts*`). Lists are read in bulk (`$limit`/`$skip`
pages of 100; the text lists are bare arrays).

A template's configuration comes with the template; writing it applies the template to the
regulation configurations linked to it (those of `notices_id` whose `template_id` is the
template's): their vendors, essential purposes and purpose categories are replaced. A text
content is submitted to the Didomi team for approval; an approved one cannot change.
"""

from __future__ import annotations

from typing import Any

from ._base import ClientBase
from .models import NoticeTemplate, NoticeTemplateConfig, NoticeText, NoticeTextContent


class Templates(ClientBase):
    """Templates, template configurations, texts and text contents: the part of
    `DidomiClient` for `/widgets/notices/templates*` and `/widgets/notices/texts*`."""

    # -- templates -------------------------------------------------------------------------------

    def list_templates(self, organization_id: str | None = None) -> list[NoticeTemplate]:
        """Every template of an organization."""
        params = {"organization_id": self._org(organization_id)}
        pages = self._pages("/widgets/notices/templates", params)
        return [NoticeTemplate.model_validate(t) for t in pages]

    def get_template(self, template_id: str, organization_id: str | None = None) -> NoticeTemplate:
        """One template."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call("GET", "/widgets/notices/templates/{id}", params=params, id=template_id)
        return NoticeTemplate.model_validate(data)

    def create_template(
        self, name: str, notices_id: list[str], organization_id: str | None = None
    ) -> NoticeTemplate:
        """Create a template linked to these notices (its configuration comes with it)."""
        params = {"organization_id": self._org(organization_id)}
        body = {"name": name, "notices_id": list(notices_id)}
        data = self._call("POST", "/widgets/notices/templates", params=params, json=body)
        return NoticeTemplate.model_validate(data)

    def update_template(
        self, template_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> NoticeTemplate:
        """PATCH a template (`name`, `notices_id`: notices it gains get it applied)."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "PATCH", "/widgets/notices/templates/{id}", params=params, json=fields, id=template_id
        )
        return NoticeTemplate.model_validate(data)

    def delete_template(
        self, template_id: str, organization_id: str | None = None
    ) -> NoticeTemplate:
        """Delete a template and its configuration."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "DELETE", "/widgets/notices/templates/{id}", params=params, id=template_id
        )
        return NoticeTemplate.model_validate(data)

    # -- template configurations ---------------------------------------------------------------

    def list_template_configs(
        self, organization_id: str | None = None
    ) -> list[NoticeTemplateConfig]:
        """Every template configuration of an organization (one per template)."""
        params = {"organization_id": self._org(organization_id)}
        pages = self._pages("/widgets/notices/templates/configs", params)
        return [NoticeTemplateConfig.model_validate(c) for c in pages]

    def update_template_config(
        self, config_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> NoticeTemplateConfig:
        """PATCH a template configuration (`config`, `regulation_settings`, each replaced
        whole); the template is applied to the regulation configurations linked to it."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "PATCH",
            "/widgets/notices/templates/configs/{id}",
            params=params,
            json=fields,
            id=config_id,
        )
        return NoticeTemplateConfig.model_validate(data)

    # -- texts -----------------------------------------------------------------------------------

    def list_texts(self, organization_id: str | None = None) -> list[NoticeText]:
        """Every approved text of an organization."""
        params = {"organization_id": self._org(organization_id)}
        return [NoticeText.model_validate(t) for t in self._pages("/widgets/notices/texts", params)]

    def create_text(self, fields: dict[str, Any], organization_id: str | None = None) -> NoticeText:
        """Create a text (`name`; `platforms`: web, amp, app, ctv; `default`)."""
        body = {**fields, "organization_id": self._org(organization_id)}
        return NoticeText.model_validate(self._call("POST", "/widgets/notices/texts", json=body))

    def update_text(
        self, text_id: str, fields: dict[str, Any], organization_id: str | None = None
    ) -> NoticeText:
        """PATCH a text."""
        params = {"organization_id": self._org(organization_id)}
        data = self._call(
            "PATCH", "/widgets/notices/texts/{id}", params=params, json=fields, id=text_id
        )
        return NoticeText.model_validate(data)

    # -- text contents ---------------------------------------------------------------------------

    def list_text_contents(self, organization_id: str | None = None) -> list[NoticeTextContent]:
        """Every content of an organization's texts, each with its approval `status`."""
        params = {"organization_id": self._org(organization_id)}
        pages = self._pages("/widgets/notices/texts-contents", params)
        return [NoticeTextContent.model_validate(c) for c in pages]

    def create_text_content(
        self,
        text_id: str,
        content: str,
        includes_purposes: bool = False,
        organization_id: str | None = None,
    ) -> NoticeTextContent:
        """Submit a new content of a text for the Didomi team's approval (the approved one, if
        any, stays in use until then)."""
        body = {
            "text_id": text_id,
            "content": content,
            "includes_purposes": includes_purposes,
            "organization_id": self._org(organization_id),
        }
        data = self._call("POST", "/widgets/notices/texts-contents", json=body)
        return NoticeTextContent.model_validate(data)
