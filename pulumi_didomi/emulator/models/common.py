"""Value types, validators and shapes shared by the emulator's models (O1 enums, Feathers page)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

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


#: RFC 3339 `full-date` and `date-time` (what OpenAPI's `format: date-time` means): any number
#: of fractional digits, `Z`/`z` or an offset, `T`/`t` or a space, a leap second.
_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))"
_DATE_ONLY = re.compile(_DATE)
_DATE_TIME = re.compile(_DATE + "[Tt ]" + _TIME)


def _valid_date(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _python_iso(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_date_time(value: object) -> bool:
    """True for an RFC 3339 date-time (`2026-01-31T10:00:00.000Z`), or another ISO-8601
    date-time Python reads (`2026-01-31T10:00`)."""
    if not isinstance(value, str):
        return False
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return "T" in value and _python_iso(value)
    year, month, day, hour, minute, second, off_hour, off_minute = match.groups()
    return (
        _valid_date(year, month, day)
        and int(hour) < 24
        and int(minute) < 60
        and int(second) <= 60  # 60: a leap second
        and int(off_hour or 0) < 24
        and int(off_minute or 0) < 60
    )


def is_iso_date(value: object) -> bool:
    """True for an ISO-8601 date (`2026-01-31`) or an RFC 3339 date-time."""
    if not isinstance(value, str):
        return False
    match = _DATE_ONLY.fullmatch(value)
    return _valid_date(*match.groups()) if match else is_date_time(value) or _python_iso(value)


def _date_time(value: str) -> str:
    if not is_date_time(value):
        raise ValueError("must be an ISO-8601 date-time such as '2026-01-31T00:00:00.000Z'")
    return value


def _not_null(value: object) -> object:
    if value is None:
        raise ValueError("may be omitted, but not null")
    return value


DateTime = Annotated[str, AfterValidator(_date_time)]
#: A PATCH field that may be omitted but not set to null.
NotNull = BeforeValidator(_not_null)


class RequestBody(BaseModel):
    """A request body: JSON types (no coercion), unknown and read-only fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


# -- sessions (O1 sessions-input, sessions) -----------------------------------------------------


class SessionInput(RequestBody):
    """`POST /sessions`: a private API key and its secret (`type` "api-key"), or an e-mail
    address and password (`type` "email"; the emulator has no users); all three required."""

    type: Literal["api-key", "email"]
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
