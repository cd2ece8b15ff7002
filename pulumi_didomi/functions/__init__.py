"""Functions for Pulumi programs: read drafts, deployments and remote widget configurations, and
look up vendors and purposes (Didomi's global ones and the organization's).

They run in the program (not in the provider) with the same settings as the resources: stack
config `didomi:*`, else the `DIDOMI_*` environment variables. Each call reaches Didomi, also
during `pulumi preview`. Each comes in Pulumi's two forms: `get_x(...)` takes plain values and
returns plain values; `get_x_output(...)` takes Inputs (Outputs of other resources included)
and returns an Output. Results are JSON objects (null fields left out, so they export
cleanly), whose fields can also be read as attributes (`draft.consent_duration`).
"""

from __future__ import annotations

import difflib
from typing import Any

import pulumi

from pulumi_didomi.client import NoticeConfig, NoticeDeployment
from pulumi_didomi.core.functions import (
    GetNoticeDeployments,
    GetNoticeDraft,
    GetPurpose,
    GetRemoteWidgetConfig,
    GetVendor,
)
from pulumi_didomi.core.resource import Context
from pulumi_didomi.core.session import SETTINGS_KEYS, Settings


class Record(dict[str, Any]):
    """A Didomi object as a plain JSON dict; its documented fields also read as attributes."""

    __slots__ = ()
    _fields: frozenset[str] = frozenset()

    def __getattr__(self, name: str) -> Any:
        if name in self:
            return self[name]
        if name in self._fields:
            return None
        match = difflib.get_close_matches(name, sorted(self._fields), n=1)
        hint = f"; did you mean {match[0]!r}?" if match else ""
        raise AttributeError(f"{type(self).__name__} has no field {name!r}{hint}")


class DraftRecord(Record):
    """A notice configuration (`get_notice_draft`)."""

    __slots__ = ()
    _fields = frozenset(NoticeConfig.model_fields)


class DeploymentRecord(Record):
    """A notice deployment (`get_notice_deployments`)."""

    __slots__ = ()
    _fields = frozenset(NoticeDeployment.model_fields)


def _plain(function: str, **args: Any) -> None:
    for name, value in args.items():
        if isinstance(value, pulumi.Output):
            raise TypeError(
                f"{function}: {name} is an Output (e.g. another resource's attribute); call "
                f"{function}_output(...) instead, which accepts Outputs and returns one"
            )


def _stack_config() -> dict[str, str | None]:
    try:
        from pulumi.runtime.config import get_config
    except ImportError:  # pragma: no cover
        return {}
    values: dict[str, str | None] = {}
    for key in SETTINGS_KEYS:
        try:
            value = get_config(f"didomi:{key}")
        except Exception:  # outside a Pulumi program
            value = None
        values[f"didomi:{key}"] = value if isinstance(value, str) else None
    return values


def _context() -> Context:
    """The program's settings: the stack's `didomi:*` config, else the environment."""
    return Context(Settings.resolve(_stack_config()))


def get_notice_draft(notice_id: str, organization_id: str | None = None) -> Record:
    """The current draft configuration of a notice (its id changes at every publish)."""
    _plain("get_notice_draft", notice_id=notice_id, organization_id=organization_id)
    args = {"notice_id": notice_id, "organization_id": organization_id}
    return DraftRecord(GetNoticeDraft().call(_context(), args)["values"])


def get_notice_draft_output(
    notice_id: pulumi.Input[str], organization_id: pulumi.Input[str] | None = None
) -> pulumi.Output[Record]:
    """`get_notice_draft` for Inputs: unknown during a preview while its inputs are."""
    return pulumi.Output.all(notice_id, organization_id).apply(
        lambda v: get_notice_draft(v[0], v[1])
    )


def get_notice_deployments(notice_id: str, organization_id: str | None = None) -> list[Record]:
    """Every deployment of a notice, newest first (Didomi's audit log)."""
    _plain("get_notice_deployments", notice_id=notice_id, organization_id=organization_id)
    args = {"notice_id": notice_id, "organization_id": organization_id}
    result = GetNoticeDeployments().call(_context(), args)
    return [DeploymentRecord(d) for d in result["deployments"]]


def get_notice_deployments_output(
    notice_id: pulumi.Input[str], organization_id: pulumi.Input[str] | None = None
) -> pulumi.Output[list[Record]]:
    """`get_notice_deployments` for Inputs."""
    return pulumi.Output.all(notice_id, organization_id).apply(
        lambda v: get_notice_deployments(v[0], v[1])
    )


def get_remote_widget_config(
    public_api_key: str, widget_id: str, api_url: str | None = None
) -> dict[str, Any]:
    """The public configuration of a deployed widget, as websites load it (no credentials).

    Served by Didomi's public host in production, by the API URL itself for the emulator;
    `api_url` overrides where it is read from.
    """
    _plain("get_remote_widget_config", public_api_key=public_api_key, widget_id=widget_id)
    args = {"public_api_key": public_api_key, "widget_id": widget_id, "api_url": api_url}
    config: dict[str, Any] = GetRemoteWidgetConfig().call(_context(), args)["config"]
    return config


def get_remote_widget_config_output(
    public_api_key: pulumi.Input[str], widget_id: pulumi.Input[str], api_url: str | None = None
) -> pulumi.Output[dict[str, Any]]:
    """`get_remote_widget_config` for Inputs."""
    return pulumi.Output.all(public_api_key, widget_id).apply(
        lambda v: get_remote_widget_config(v[0], v[1], api_url)
    )


class VendorRecord(Record):
    """A vendor found by `get_vendor`."""

    __slots__ = ()
    _fields = frozenset(p.name for p in GetVendor.description.result)


class PurposeRecord(Record):
    """A purpose found by `get_purpose`."""

    __slots__ = ()
    _fields = frozenset(p.name for p in GetPurpose.description.result)


def _without_nulls(found: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in found.items() if v is not None}


def get_vendor(
    iab_id: int | None = None,
    name: str | None = None,
    id: str | None = None,
    organization_id: str | None = None,
) -> VendorRecord:
    """A vendor the organization sees (Didomi's global vendors, IAB or not, and its own), by
    exactly one of its IAB TCF v2 id, its name or its id: `get_vendor(iab_id=755).id`. Every
    lookup of a run answers from one bulk listing of the vendors."""
    _plain("get_vendor", iab_id=iab_id, name=name, id=id, organization_id=organization_id)
    args = {"iab_id": iab_id, "name": name, "id": id, "organization_id": organization_id}
    return VendorRecord(_without_nulls(GetVendor().call(_context(), args)))


def get_vendor_output(
    iab_id: pulumi.Input[int] | None = None,
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    organization_id: pulumi.Input[str] | None = None,
) -> pulumi.Output[VendorRecord]:
    """`get_vendor` for Inputs: unknown during a preview while its inputs are."""
    return pulumi.Output.all(iab_id, name, id, organization_id).apply(
        lambda v: get_vendor(v[0], v[1], v[2], v[3])
    )


def get_purpose(
    iab_id: int | None = None,
    name: str | None = None,
    id: str | None = None,
    organization_id: str | None = None,
) -> PurposeRecord:
    """A purpose the organization sees (Didomi's global ones, the IAB TCF purposes included,
    and its own), by exactly one of its IAB TCF number, its English name or its id. Every
    lookup of a run answers from one bulk listing of the purposes."""
    _plain("get_purpose", iab_id=iab_id, name=name, id=id, organization_id=organization_id)
    args = {"iab_id": iab_id, "name": name, "id": id, "organization_id": organization_id}
    return PurposeRecord(_without_nulls(GetPurpose().call(_context(), args)))


def get_purpose_output(
    iab_id: pulumi.Input[int] | None = None,
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    organization_id: pulumi.Input[str] | None = None,
) -> pulumi.Output[PurposeRecord]:
    """`get_purpose` for Inputs."""
    return pulumi.Output.all(iab_id, name, id, organization_id).apply(
        lambda v: get_purpose(v[0], v[1], v[2], v[3])
    )


__all__ = [
    "DeploymentRecord",
    "DraftRecord",
    "PurposeRecord",
    "Record",
    "VendorRecord",
    "get_notice_deployments",
    "get_notice_deployments_output",
    "get_notice_draft",
    "get_notice_draft_output",
    "get_purpose",
    "get_purpose_output",
    "get_remote_widget_config",
    "get_remote_widget_config_output",
    "get_vendor",
    "get_vendor_output",
]
