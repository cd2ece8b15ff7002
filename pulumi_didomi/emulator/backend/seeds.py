"""What every emulated organization finds in its data manager: Didomi's global purposes, global
vendors and vendor categories (the emulator's picks, README "The local Didomi emulator").

Didomi pre-populates each organization with IAB, Google ATP and global vendors (its docs,
"Create custom vendor") and global purposes (`organization_id` null, O1 `purposes`); the
catalogue is Didomi's and is not published as such. The emulator seeds a small one: the eleven
IAB TCF v2.2 purposes and its two special features under the ids Didomi's SDK uses for them,
fifteen IAB vendors with their IAB TCF v2 vendor ids (`namespaces.iab2`) and three global
vendors outside the IAB list. Category ids are the emulator's (Didomi does not document its
list).
"""

from __future__ import annotations

from typing import Any

#: Vendor categories (O1 `partners-categories`): id, name.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("advertising", "Advertising"),
    ("analytics", "Analytics"),
    ("content", "Content and personalization"),
    ("social", "Social networks"),
    ("customer-engagement", "Customer engagement"),
    ("infrastructure", "Infrastructure and security"),
    ("other", "Other"),
)

#: IAB TCF v2.2 purposes: Didomi's id, IAB purpose number, name.
_IAB_PURPOSES: tuple[tuple[str, str, str], ...] = (
    ("cookies", "1", "Store and/or access information on a device"),
    ("select_basic_ads", "2", "Use limited data to select advertising"),
    ("create_ads_profile", "3", "Create profiles for personalised advertising"),
    ("select_personalized_ads", "4", "Use profiles to select personalised advertising"),
    ("create_content_profile", "5", "Create profiles to personalise content"),
    ("select_personalized_content", "6", "Use profiles to select personalised content"),
    ("measure_ad_performance", "7", "Measure advertising performance"),
    ("measure_content_performance", "8", "Measure content performance"),
    ("market_research", "9", "Understand audiences through statistics or combinations of data"),
    ("improve_products", "10", "Develop and improve services"),
    ("use_limited_data_to_select_content", "11", "Use limited data to select content"),
)
#: IAB TCF v2 special features: Didomi's id, feature number, name.
_SPECIAL_FEATURES: tuple[tuple[str, str, str], ...] = (
    ("geolocation_data", "1", "Use precise geolocation data"),
    ("device_characteristics", "2", "Actively scan device characteristics for identification"),
)

_ADS = [
    "cookies",
    "select_basic_ads",
    "create_ads_profile",
    "select_personalized_ads",
    "measure_ad_performance",
]
_MEASURE = ["measure_ad_performance", "market_research", "improve_products"]

#: Global vendors: Didomi id, name, category, IAB TCF v2 id (or None), website host; their
#: consent purposes are advertising ones (`_ADS`) unless `_OWN` says otherwise, and they claim
#: measurement purposes on legitimate interest when listed in `_INTEREST`.
_VENDORS: tuple[tuple[str, str, str, str | None, str], ...] = (
    ("google", "Google Advertising Products", "advertising", "755", "google.com"),
    ("criteo", "Criteo SA", "advertising", "91", "www.criteo.com"),
    ("appnexus", "Xandr, Inc.", "advertising", "32", "www.xandr.com"),
    ("the-trade-desk", "The Trade Desk", "advertising", "21", "www.thetradedesk.com"),
    ("index-exchange", "Index Exchange Inc.", "advertising", "10", "www.indexexchange.com"),
    ("pubmatic", "PubMatic, Inc", "advertising", "76", "pubmatic.com"),
    ("rubicon", "Magnite, Inc.", "advertising", "52", "www.magnite.com"),
    ("openx", "OpenX", "advertising", "69", "www.openx.com"),
    ("taboola", "Taboola Europe Limited", "content", "42", "www.taboola.com"),
    ("outbrain", "Outbrain UK Ltd", "content", "164", "www.outbrain.com"),
    ("quantcast", "Quantcast", "analytics", "11", "www.quantcast.com"),
    ("amazon", "Amazon Advertising", "advertising", "793", "advertising.amazon.com"),
    ("microsoft", "Microsoft Advertising", "advertising", "1126", "about.ads.microsoft.com"),
    ("teads", "Teads France SAS", "advertising", "132", "www.teads.com"),
    ("yahoo", "Yahoo EMEA Limited", "advertising", "25", "www.yahoo.com"),
    ("hotjar", "Hotjar", "analytics", None, "www.hotjar.com"),
    ("facebook", "Facebook", "social", None, "www.facebook.com"),
    ("youtube", "YouTube", "content", None, "www.youtube.com"),
)
_OWN: dict[str, list[str]] = {
    "hotjar": ["cookies", "measure_content_performance"],
    "facebook": ["cookies", "create_ads_profile"],
    "youtube": ["cookies"],
}
_INTEREST = frozenset(
    {"google", "criteo", "appnexus", "taboola", "outbrain", "quantcast", "teads", "yahoo"}
)


def categories(now: str) -> list[dict[str, Any]]:
    """The vendor categories, as stored."""
    return [
        {"id": id_, "name": name, "created_at": now, "updated_at": now} for id_, name in CATEGORIES
    ]


def purposes(now: str) -> list[dict[str, Any]]:
    """Didomi's global purposes, as stored (translatable fields as `{language: text}`)."""
    out = []
    for kind, rows in (("iab2", _IAB_PURPOSES), ("iab2_special_feature", _SPECIAL_FEATURES)):
        for id_, number, name in rows:
            out.append(
                {
                    "id": id_,
                    "description": {"en": name},
                    "details": {"en": f"{name} (IAB TCF v2.2)."},
                    "namespaces": {kind: number, "didomi": id_},
                    "regulations_id": ["gdpr"],
                    "type": "purpose",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return out


def vendors(now: str) -> list[dict[str, Any]]:
    """Didomi's global vendors, as stored."""
    out = []
    for id_, name, category, iab2, host in _VENDORS:
        website = f"https://{host}"
        namespaces = {"didomi": id_, **({"iab2": iab2} if iab2 else {})}
        out.append(
            {
                "id": id_,
                "name": name,
                "category_id": category,
                "website": website,
                "namespaces": namespaces,
                "default_purposes_id": list(_OWN.get(id_, _ADS)),
                "legitimate_interest_purposes_id": list(_MEASURE if id_ in _INTEREST else []),
                "spi_purposes_id": [],
                "hosts": [host.removeprefix("www.")],
                "deprecated": False,
                "created_at": now,
                "updated_at": now,
                "version": 0,
            }
        )
    return out
