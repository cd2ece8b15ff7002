"""Value types, validators and shapes shared by the emulator's models (O1 enums, Feathers page)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

# -- value types (O1 enums) ---------------------------------------------------------------------

Platform = Literal["web", "amp", "app", "ctv"]
DurationUnit = Literal["months", "days", "seconds"]
NegativeAction = Literal["button", "link"]
NegativeActionLinkFormat = Literal["text", "cross"]
DisagreeButtonStyle = Literal["primary", "secondary"]
TextMode = Literal["approved", "custom"]
GppMspaMode = Literal["service_provider", "opt_out"]
ConsentStringEncoding = Literal["bit_field_2_bits", "ranges_u16", "ranges_fibonacci"]
DeploymentStatus = Literal["ready", "running", "failure", "success"]
WidgetFormat = Literal["embeddable", "hosted"]
WidgetTemplate = Literal["sections", "sections_and_save", "full_preference_center", "dsar_form"]


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a number")
    return value


Number = Annotated[int | float, BeforeValidator(_number)]
Object = dict[str, Any]


def _parse_iso(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_iso_date(value: object) -> bool:
    """True for an ISO-8601 date or date-time string."""
    return isinstance(value, str) and _parse_iso(value) is not None


def _date_time(value: str) -> str:
    if "T" not in value or _parse_iso(value) is None:
        raise ValueError("must be an ISO-8601 date-time such as '2026-01-31T00:00:00.000Z'")
    return value


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("may be omitted, but not null")
    return value


DateTime = Annotated[str, AfterValidator(_date_time)]
#: A PATCH field that may be omitted but not set to null.
NotNull = BeforeValidator(_not_null)
Duration = Annotated[Number, Field(gt=0)]  # emulator pick: durations are positive


class RequestBody(BaseModel):
    """A request body: JSON types (no coercion), unknown and read-only fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


# -- sessions (O1 sessions-input, sessions) -----------------------------------------------------


class SessionInput(RequestBody):
    """`POST /sessions`: a private API key and its secret."""

    type: str = "api-key"
    key: str
    secret: str


class Session(BaseModel):
    """A session: the JWT to send as `Authorization: Bearer`."""

    access_token: str
    type: str
    key: str


class Organization(BaseModel):
    """An organization (O1 `organizations`: the fields the emulator knows)."""

    id: str
    name: str
    public_api_key: str


# -- lists ----------------------------------------------------------------------------------------

Item = TypeVar("Item", bound=BaseModel)


class Page(BaseModel, Generic[Item]):
    """Feathers' paginated list (reference §7.3)."""

    total: int
    limit: int
    skip: int
    data: list[Item]
