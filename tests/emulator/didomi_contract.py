"""Didomi's OpenAPI document as the emulator's contract, and the deviations the emulator keeps.

`contract_document()` is the document the contract test hands to schemathesis: Didomi's own
document (`shared/reference/didomi-openapi.yml`, "O1") restricted to the operations the emulator
serves, read as OpenAPI 3 (`served_document`), then changed by exactly the rows of
`DEVIATIONS`, each justified by a Didomi document (the same table is in the README, emulator
section; a test keeps them equal). `REFUSALS` are the only 400 answers a request valid under
that document may get.

Source tags are those of `shared/reference/didomi-api.md` §0: A1 authentication, A2 errors,
A3 pagination, A5 rate limiting, N1 notices, N2 configurations, N3 deployments, N4/N5 tutorials,
N6 multi-regulation configurations, O1 the OpenAPI document.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import REPO

OPENAPI = REPO.parent / "shared" / "reference" / "didomi-openapi.yml"

Doc = dict[str, Any]

#: The operations of O1 the emulator serves (its other routes, widgets, are not in O1).
SERVED: tuple[tuple[str, str], ...] = (
    ("POST", "/sessions"),
    ("GET", "/organizations/{id}"),
    ("GET", "/widgets/notices"),
    ("POST", "/widgets/notices"),
    ("GET", "/widgets/notices/{id}"),
    ("PATCH", "/widgets/notices/{id}"),
    ("DELETE", "/widgets/notices/{id}"),
    ("GET", "/widgets/notices/configs"),
    ("GET", "/widgets/notices/configs/{id}"),
    ("PATCH", "/widgets/notices/configs/{id}"),
    ("GET", "/widgets/notices/deployments"),
    ("POST", "/widgets/notices/deployments"),
    ("GET", "/widgets/notices/deployments/{id}"),
    ("GET", "/metadata/partners"),
    ("POST", "/metadata/partners"),
    ("GET", "/metadata/partners/{id}"),
    ("PATCH", "/metadata/partners/{id}"),
    ("DELETE", "/metadata/partners/{id}"),
    ("GET", "/metadata/partners-categories"),
    ("GET", "/metadata/partners-storages"),
    ("POST", "/metadata/partners-storages"),
    ("GET", "/metadata/partners-storages/{id}"),
    ("PATCH", "/metadata/partners-storages/{id}"),
    ("DELETE", "/metadata/partners-storages/{id}"),
    ("GET", "/metadata/purposes"),
    ("POST", "/metadata/purposes"),
    ("GET", "/metadata/purposes/{id}"),
    ("PATCH", "/metadata/purposes/{id}"),
    ("DELETE", "/metadata/purposes/{id}"),
    ("GET", "/widgets/notices/templates"),
    ("POST", "/widgets/notices/templates"),
    ("GET", "/widgets/notices/templates/{id}"),
    ("PATCH", "/widgets/notices/templates/{id}"),
    ("DELETE", "/widgets/notices/templates/{id}"),
    ("GET", "/widgets/notices/templates/configs"),
    ("GET", "/widgets/notices/templates/configs/{id}"),
    ("PUT", "/widgets/notices/templates/configs/{id}"),
    ("PATCH", "/widgets/notices/templates/configs/{id}"),
    ("DELETE", "/widgets/notices/templates/configs/{id}"),
    ("GET", "/widgets/notices/texts"),
    ("POST", "/widgets/notices/texts"),
    ("GET", "/widgets/notices/texts/{id}"),
    ("PUT", "/widgets/notices/texts/{id}"),
    ("PATCH", "/widgets/notices/texts/{id}"),
    ("GET", "/widgets/notices/texts-contents"),
    ("POST", "/widgets/notices/texts-contents"),
    ("GET", "/widgets/notices/texts-contents/{id}"),
    ("PUT", "/widgets/notices/texts-contents/{id}"),
    ("PATCH", "/widgets/notices/texts-contents/{id}"),
    ("DELETE", "/widgets/notices/texts-contents/{id}"),
)
LISTS = (
    "/widgets/notices",
    "/widgets/notices/configs",
    "/widgets/notices/deployments",
    "/metadata/partners",
    "/metadata/partners-categories",
    "/metadata/partners-storages",
)
CREATES = (
    "/sessions",
    "/widgets/notices",
    "/widgets/notices/deployments",
    "/metadata/partners",
    "/metadata/partners-storages",
    "/metadata/purposes",
    "/widgets/notices/templates",
    "/widgets/notices/texts",
    "/widgets/notices/texts-contents",
)
#: Purpose fields Didomi translates (`$translations`).
TRANSLATABLE = (
    "description",
    "details",
    "enabled_status_description",
    "disabled_status_description",
    "reference",
)


def load_document(path: Path = OPENAPI) -> Doc:
    """Didomi's OpenAPI document as published (O1); libyaml's loader when there (4x faster:
    every pytest worker collects this module)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return dict(yaml.load(path.read_text(), Loader=loader))


def served_document(raw: Doc) -> Doc:
    """O1 restricted to `SERVED` and read as OpenAPI 3, with no change of meaning: O1 mixes
    Swagger-2 `in: body` parameters into its OpenAPI 3.0.2 operations, and on many served
    operations its `requestBody` names another schema than the body parameter (`notices` for a
    configuration PATCH, a deployment, a template, a text, `sessions` for a session). Request
    bodies come from the body parameter's schema (`notices-input`, `notices-config-input`,
    ...); `download`'s `type: string` moves into a `schema`; a path parameter is required and
    named as in its path (OpenAPI 3; O1 names the one of `GET
    /widgets/notices/templates/configs/{id}` `template_id` and marks that of `GET
    /widgets/notices/templates/{id}` optional)."""
    doc = copy.deepcopy(raw)
    paths: dict[str, dict[str, Any]] = {}
    for method, path in SERVED:
        operation = copy.deepcopy(raw["paths"][path][method.lower()])
        in_path = re.findall(r"\{([^}]+)\}", path)
        parameters = []
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "body":
                content = {"application/json": {"schema": parameter["schema"]}}
                operation["requestBody"] = {"required": True, "content": content}
                continue
            if "schema" not in parameter and "type" in parameter:
                parameter["schema"] = {"type": parameter.pop("type")}
            if parameter.get("in") == "path":
                parameter["required"] = True
                if parameter["name"] not in in_path and len(in_path) == 1:
                    parameter["name"] = in_path[0]
            parameters.append(parameter)
        operation["parameters"] = parameters
        paths.setdefault(path, {})[method.lower()] = operation
    doc["paths"] = paths
    return doc


# -- deviations: what the emulator answers differently from O1, and why -----------------------

ERROR_BODY: Doc = {
    "type": "object",
    "description": "Didomi's error body (A2): code, name, message, errors",
    "required": ["code", "name", "message", "errors"],
    "properties": {
        "code": {"type": "integer"},
        "name": {"type": "string"},
        "message": {"type": "string"},
        "className": {"type": "string"},
        "errors": {"anyOf": [{"type": "object"}, {"type": "array"}]},
    },
}


def _schemas(doc: Doc) -> dict[str, Doc]:
    return dict(doc["components"]["schemas"])


def _operations(doc: Doc) -> list[tuple[str, str, Doc]]:
    return [(m.upper(), p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


def _nullable(schema: Doc, names: tuple[str, ...] | None = None) -> None:
    for name, prop in schema["properties"].items():
        if names is None or name in names:
            prop["nullable"] = True
            if "enum" in prop:
                prop["enum"] = [*prop["enum"], None]


def _envelope(doc: Doc) -> None:
    for path in LISTS:
        content = doc["paths"][path]["get"]["responses"]["200"]["content"]
        for media in content.values():
            media["schema"] = {
                "type": "object",
                "required": ["total", "limit", "skip", "data"],
                "properties": {
                    "total": {"type": "integer"},
                    "limit": {"type": "integer"},
                    "skip": {"type": "integer"},
                    "data": media["schema"],
                },
            }


def _created(doc: Doc) -> None:
    for path in CREATES:
        responses = doc["paths"][path]["post"]["responses"]
        responses["201"] = responses.pop("200")


def _errors(doc: Doc) -> None:
    for _, path, operation in _operations(doc):
        codes = ("400", "429") if path == "/sessions" else ("400", "401", "403", "404", "429")
        for code in codes:
            content = {"application/json": {"schema": ERROR_BODY}}
            operation["responses"].setdefault(code, {"description": "error", "content": content})


def _shown_null(doc: Doc) -> None:
    schemas = _schemas(doc)
    _nullable(schemas["notices"], ("archived_at",))
    _nullable(
        schemas["notices-config"],
        ("deployed_at", "ignore_consent_before", "negative_action", "template_id", "country"),
    )


def _regulation_nulls(doc: Doc) -> None:
    _nullable(_schemas(doc)["notices-regulations-config"])


def _session_secret(doc: Doc) -> None:
    schema = _schemas(doc)["sessions"]
    schema["required"] = [r for r in schema["required"] if r != "secret"]


def _download(doc: Doc) -> None:
    content = doc["paths"]["/widgets/notices/configs"]["get"]["responses"]["200"]["content"]
    content["text/csv"] = {"schema": {"type": "string"}}


def _enum(schema: Doc, name: str, values: list[str]) -> None:
    schema["properties"][name]["enum"] = values


def _documented_values(doc: Doc) -> None:
    schemas = _schemas(doc)
    for name in ("notices-config-input", "notices-regulation-config-input"):
        schema = schemas[name]
        if "platform" in schema["properties"]:
            _enum(schema, "platform", ["web", "amp", "app", "ctv"])
        if "text_mode" in schema["properties"]:
            _enum(schema, "text_mode", ["approved", "custom"])
        for encoding in ("consent_string_partners_encoding", "consent_string_purposes_encoding"):
            if encoding in schema["properties"]:
                _enum(schema, encoding, ["bit_field_2_bits", "ranges_u16", "ranges_fibonacci"])
        if "country" in schema["properties"]:
            schema["properties"]["country"].update(minLength=2, maxLength=2)
        if "ignore_consent_before" in schema["properties"]:
            schema["properties"]["ignore_consent_before"]["format"] = "date"
    _enum(schemas["sessions-input"], "type", ["api-key", "email"])
    schemas["notices-text-input"]["properties"]["platforms"]["items"]["enum"] = [
        "web",
        "amp",
        "app",
        "ctv",
    ]


def _template_config_delete(doc: Doc) -> None:
    operation = doc["paths"]["/widgets/notices/templates/configs/{id}"]["delete"]
    for parameter in operation["parameters"]:
        if parameter["name"] == "id":
            parameter["schema"] = {"type": "string"}
    schema = {"$ref": "#/components/schemas/notices-templates-configs"}
    operation["responses"]["200"]["content"]["application/json"]["schema"] = schema


def _translatable(doc: Doc) -> None:
    schemas = _schemas(doc)
    text = {"type": "string"}
    texts = {"type": "object", "additionalProperties": {"type": "string"}}
    for name in ("purposes-input", "purposes-patch-input"):
        for field in TRANSLATABLE:
            prop = schemas[name]["properties"].get(field)
            if prop is not None:
                schemas[name]["properties"][field] = {
                    "description": prop.get("description", ""),
                    "anyOf": [text, texts],
                }
    schemas["purposes-input"]["required"] = ["description", "details"]
    for field in TRANSLATABLE:
        prop = schemas["purposes"]["properties"][field]
        schemas["purposes"]["properties"][field] = {
            "description": prop.get("description", ""),
            "anyOf": [text, {"type": "object"}],
        }


@dataclass(frozen=True)
class Deviation:
    """One way the emulator knowingly differs from O1, with the Didomi source that says so."""

    key: str
    what: str
    source: str
    apply: Callable[[Doc], None]


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "envelope",
        "lists answer Feathers' page `{total, limit, skip, data}`, not a bare array",
        "A3 (pagination); the list examples of N2 and N4",
        _envelope,
    ),
    Deviation(
        "201",
        "creates (`POST /sessions`, `/widgets/notices`, `/widgets/notices/deployments`, "
        "`/metadata/partners`, `/metadata/partners-storages`, `/metadata/purposes`, "
        "`/widgets/notices/templates`, `/widgets/notices/texts`, "
        "`/widgets/notices/texts-contents`) answer 201, not 200",
        "N4 and N5 (the tutorials' client expects 201 for `POST /widgets/notices`); O1 itself "
        "documents 201 on ten other creates, among them `POST /platform-integrations/sessions`",
        _created,
    ),
    Deviation(
        "errors",
        "4xx answers not listed in O1 (400, 401, 403, 404, 429; `/sessions`: 400, 429), each "
        "with Didomi's error body `{code, name, message, errors}`",
        "A2 (error body, 4xx for caller errors); A1 (400 for bad credentials, 401 without a "
        "valid token); A5 (429); O1 (403 and 404 on other routes)",
        _errors,
    ),
    Deviation(
        "shown-null",
        "`null` (not left out) for a notice's `archived_at` and a configuration's `deployed_at`, "
        "`ignore_consent_before`, `negative_action`, `template_id`, `country` when unset",
        "N1 (`archived_at: null` on a created notice); N2 and N4 (drafts with `deployed_at`, "
        "`ignore_consent_before`, `country` null; a published configuration with "
        '`negative_action` null); O1 descriptions (`negative_action`: "no negative action '
        '(null)"; `template_id`: "null" without a template)',
        _shown_null,
    ),
    Deviation(
        "regulation-null",
        "regulation configurations may hold `null` (e.g. `disabled_at` of an enabled one, a "
        "property set back to null)",
        'N6: a regulation configuration\'s properties "are nullable by default"',
        _regulation_nulls,
    ),
    Deviation(
        "session-secret",
        "a session does not carry `secret` (O1's `sessions` schema requires a `secret` it does "
        "not define)",
        "A1 (the answer holds the `access_token`); O1 `sessions` properties",
        _session_secret,
    ),
    Deviation(
        "download",
        "`download` on the configuration list answers a CSV attachment (`text/csv`), 404 when "
        "nothing matches; on one configuration, its JSON as an attachment",
        "O1, the `download` parameter's description",
        _download,
    ),
    Deviation(
        "documented-values",
        "requests must keep the values Didomi's descriptions list: `platform` web, amp, app, "
        "ctv; `text_mode` approved, custom; the consent string encodings; `country` two "
        "letters; `ignore_consent_before` a date; a session's `type` api-key or email (an "
        "`email` session fails like bad credentials: the emulator has no users); a text's "
        "`platforms` among web, amp, app, ctv",
        "O1 descriptions of these fields (`platform`: the ids of `notices-text.platforms`)",
        _documented_values,
    ),
    Deviation(
        "translatable",
        "a purpose's translatable fields (`description`, `details`, the status descriptions, "
        "`reference`) are written as a text or `{language: text}`, `description` and `details` "
        "required on create; answered as `{language: text}` with `$translations=true`, else as "
        "the default language's text",
        'O1 (`$translations`: "will return translatable fields as objects with '
        "translations\"; `purposes-input` gives these fields no type); Didomi's data manager "
        'Purposes page (developers.didomi.io/api-and-platform/data-manager/purposes: "at least '
        'the purpose name (`description`) and a description (`details`)", strings, or objects '
        "of translations with `$translations=true`)",
        _translatable,
    ),
    Deviation(
        "template-config-delete",
        "`DELETE /widgets/notices/templates/configs/{id}` takes a string id (O1: an integer) and "
        "answers the deleted template configuration (O1: a notice)",
        'O1: that operation is its generic stub ("Removes the resource with id.", no '
        "security); every other operation of the path takes a string id and answers "
        "`notices-templates-configs`",
        _template_config_delete,
    ),
)


@dataclass(frozen=True)
class Refusal:
    """A 400 a request valid under the contract document may get: Didomi documents the rule.

    `operation` is one operation (`PATCH /x/{id}`) or several joined by ` | `; `field` is the
    key the emulator's error body names in `errors` (None: any, or none).
    """

    key: str
    operation: str
    field: str | None
    what: str
    source: str

    def covers(self, label: str) -> bool:
        """Whether the rule applies to the operation `label`."""
        return label in self.operation.split(" | ")


REFUSALS: tuple[Refusal, ...] = (
    Refusal(
        "credentials",
        "POST /sessions",
        None,
        "a key and secret that are not a valid API key",
        "A1 (400 for bad credentials)",
    ),
    Refusal(
        "published",
        "PATCH /widgets/notices/configs/{id}",
        "deployed_at",
        "a published configuration cannot be changed",
        "N2 (only the draft can be modified)",
    ),
    Refusal(
        "default-targets",
        "PATCH /widgets/notices/configs/{id}",
        "default",
        "`default: true` with non-empty `targets`",
        "O1 `default` description",
    ),
    Refusal(
        "ignore-consent-before",
        "PATCH /widgets/notices/configs/{id}",
        "ignore_consent_before",
        "`enable_ignore_consent_before: true` without a date in `ignore_consent_before`",
        "O1 `ignore_consent_before` description",
    ),
    Refusal(
        "not-the-draft",
        "POST /widgets/notices/deployments",
        "production_config_id",
        "`production_config_id` that is not the notice's current draft",
        "N3 (only the draft can be deployed, once)",
    ),
    Refusal(
        "deprecated-vendor",
        "PATCH /widgets/notices/configs/{id}",
        "config",
        "a change that adds a deprecated vendor to the notice's vendor lists",
        'O1 `partners.deprecated` (deprecated partners "cannot be added to privacy centers or '
        'consent notices")',
    ),
    Refusal(
        "pagination",
        "GET /metadata/partners-categories | GET /metadata/partners-storages | "
        "GET /metadata/purposes | GET /widgets/notices/templates | "
        "GET /widgets/notices/templates/configs",
        None,
        "`$limit` or `$skip` that is not a whole number >= 0, `$sort[field]` other than 1 or -1",
        "A3 (`$limit` a page size, `$skip` an offset); W1 (`$sort[field]=1|-1`); O1 declares "
        "them on these lists only",
    ),
    Refusal(
        "category",
        "POST /metadata/partners | PATCH /metadata/partners/{id}",
        "category_id",
        "a `category_id` that is not one of `/metadata/partners-categories`",
        'O1 `partners-input.category_id` (required: "The category ID of the partner"), '
        "`/metadata/partners-categories`",
    ),
    Refusal(
        "storage-partner",
        "POST /metadata/partners-storages",
        "partner_id",
        "a storage without `partner_id`, or naming no custom vendor of the caller's",
        'O1 `partners-storages` ("List of additional storages used by the vendor"; '
        '`partner_id`: "The partner ID that owns the storage")',
    ),
    Refusal(
        "storage-domain",
        "POST /metadata/partners-storages | PATCH /metadata/partners-storages/{id}",
        "domain",
        "a `cookie` or `web_storage` storage without `domain`",
        'O1 `partners-storages.domain` ("only required for type cookie and web_storage")',
    ),
    Refusal(
        "storage-max-age",
        "POST /metadata/partners-storages | PATCH /metadata/partners-storages/{id}",
        "max_age",
        "a `cookie` storage without `max_age`",
        'O1 `partners-storages.max_age` ("only required for type cookie")',
    ),
    Refusal(
        "purpose-in-use",
        "DELETE /metadata/purposes/{id}",
        "id",
        "a custom purpose that a vendor which is not deprecated lists (a legal basis or a "
        "storage); the message names the vendors",
        'O1 `partners.deprecated` (what entities use is "not immediately removed to not break '
        "entities that already use them\"); that a purpose in use is refused is the emulator's "
        "pick",
    ),
    Refusal(
        "template-name",
        "POST /widgets/notices/templates",
        "name",
        "a template without `name`",
        "O1 `notices-templates` (`name` is required in a template)",
    ),
    Refusal(
        "template-notices",
        "POST /widgets/notices/templates | PATCH /widgets/notices/templates/{id}",
        "notices_id",
        "`notices_id` naming a notice that is not one of the organization's",
        'O1 `notices-templates.notices_id` ("Notice IDs associated with this template"); that '
        "other ids are refused is the emulator's pick",
    ),
    Refusal(
        "template-config",
        "PUT /widgets/notices/templates/configs/{id} | "
        "PATCH /widgets/notices/templates/configs/{id}",
        "config",
        "a `config` without the structure of O1's `notices-templates-configs.config` (e.g. "
        "`app.vendors.include` not a list of strings)",
        "O1 `notices-templates-configs` (the structure of `config` in the answer)",
    ),
    Refusal(
        "template-regulation-settings",
        "PUT /widgets/notices/templates/configs/{id} | "
        "PATCH /widgets/notices/templates/configs/{id}",
        "regulation_settings",
        "a `regulation_settings` without the structure of O1's "
        "`notices-templates-configs.regulation_settings`",
        "O1 `notices-templates-configs` (the structure of `regulation_settings` in the answer)",
    ),
    Refusal(
        "content-text",
        "POST /widgets/notices/texts-contents",
        "text_id",
        "a `text_id` that is not a text of the organization",
        'O1 `notices-text-content-input.text_id` ("Notice text ID that this content applies to")',
    ),
    Refusal(
        "approved-content",
        "PUT /widgets/notices/texts-contents/{id} | PATCH /widgets/notices/texts-contents/{id} "
        "| DELETE /widgets/notices/texts-contents/{id}",
        "status",
        "a text content whose status is `approved`",
        'O1 descriptions of these operations ("Text contents cannot be modified once their '
        'status is "approved"", "cannot be deleted once their status is "approved"")',
    ),
)


# -- checks the contract test adds to schemathesis' own ---------------------------------------


def _valid(case: Any) -> bool:
    """True when no part of the request was generated to break the document."""
    meta = case.meta
    return meta is not None and not any(c.mode.is_negative for c in meta.components.values())


def refuses_only_documented_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request valid under the contract document is refused (400) only by a `REFUSALS` rule."""
    method = case.operation.method.upper()
    if response.status_code != 400 or not _valid(case) or case.method.upper() != method:
        return None  # not a valid request of this operation (another method: `unsupported_method`)
    label = f"{method} {case.operation.path}"
    body = response.json()
    named = set(body.get("errors") or {}) if isinstance(body, dict) else set()
    rules = [r for r in REFUSALS if r.covers(label)]
    if any(r.field is None for r in rules) or (named and named <= {r.field for r in rules}):
        return True
    raise AssertionError(
        f"{label} refused a request valid under Didomi's document with 400 {body} "
        "(no documented rule in didomi_contract.REFUSALS names these fields)"
    )


def download_answers_csv(ctx: Any, response: Any, case: Any) -> bool | None:
    """`download` on the configuration list answers CSV, an attachment (O1's description)."""
    query = case.query if isinstance(case.query, dict) else {}
    if case.operation.path != "/widgets/notices/configs" or "download" not in query:
        return None
    if response.status_code == 200:
        assert response.headers.get("content-type", [""])[0].startswith("text/csv"), response
        disposition = response.headers.get("content-disposition", [""])[0]
        assert disposition.startswith("attachment"), disposition
    return True


def contract_document(raw: Doc) -> Doc:
    """The served part of O1 with every deviation applied: what the contract test holds."""
    doc = served_document(raw)
    for deviation in DEVIATIONS:
        deviation.apply(doc)
    return doc
