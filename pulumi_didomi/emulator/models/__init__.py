"""The emulator's own reading of Didomi's API: request and response models and their rules.

Derived from Didomi's OpenAPI document (`notices-*`, `sessions*`, `partners*`, `purposes*`
schemas), its data manager docs and the reference (didomi-api.md §4 notices, §5.4
configuration fields, §5.5 regulation configurations, §6 deployments, §9 widgets),
independently of `pulumi_didomi.client`: a rule read wrongly on one side is caught by the
other. Request bodies are validated strictly (JSON types, no coercion);
unknown and read-only fields are ignored, as Didomi's own samples send whole objects back.
"""

from .common import Organization, Page, Session, SessionInput, is_iso_date
from .metadata import (
    TRANSLATABLE_FIELDS,
    Partner,
    PartnerInput,
    PartnerPatch,
    PartnersCategory,
    Purpose,
    PurposeInput,
    PurposePatch,
    Storage,
    StorageInput,
    StoragePatch,
    storage_rule_violations,
    translated,
    translations,
)
from .notices import (
    CONFIG_NULL_FIELDS,
    NOTICE_NULL_FIELDS,
    WRITABLE_CONFIG_FIELDS,
    DeploymentInput,
    Notice,
    NoticeConfig,
    NoticeConfigPatch,
    NoticeDeployment,
    NoticeInput,
    NoticePatch,
    RegulationConfigInput,
    RegulationConfiguration,
    config_rule_violations,
)
from .widgets import (
    CREATE_ONLY_WIDGET_FIELDS,
    Widget,
    WidgetDeployment,
    WidgetDeploymentInput,
    WidgetInput,
    WidgetPatch,
    widget_rule_violations,
)

__all__ = [
    "CONFIG_NULL_FIELDS",
    "CREATE_ONLY_WIDGET_FIELDS",
    "NOTICE_NULL_FIELDS",
    "TRANSLATABLE_FIELDS",
    "WRITABLE_CONFIG_FIELDS",
    "DeploymentInput",
    "Notice",
    "NoticeConfig",
    "NoticeConfigPatch",
    "NoticeDeployment",
    "NoticeInput",
    "NoticePatch",
    "Organization",
    "Page",
    "Partner",
    "PartnerInput",
    "PartnerPatch",
    "PartnersCategory",
    "Purpose",
    "PurposeInput",
    "PurposePatch",
    "RegulationConfigInput",
    "RegulationConfiguration",
    "Session",
    "SessionInput",
    "Storage",
    "StorageInput",
    "StoragePatch",
    "Widget",
    "WidgetDeployment",
    "WidgetDeploymentInput",
    "WidgetInput",
    "WidgetPatch",
    "config_rule_violations",
    "is_iso_date",
    "storage_rule_violations",
    "translated",
    "translations",
    "widget_rule_violations",
]
