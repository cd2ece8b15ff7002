"""A consent setup as code: two custom purposes in two languages, a custom vendor using them
(with a storage disclosure), and a notice listing it with a global vendor found by its IAB id,
published once. Run with `pulumi config set hosting native` for the `didomi` plugin.

Stack config: hosting (dynamic | native), withTracker (default true), trackerName,
trackerWebsite, adoptVendor (an existing vendor's id, for the dynamic resources' adoption),
vendorExtra / analyticsExtra (objects of inputs given to the vendor / the first purpose),
noticeLanguages (the languages the notice enables, e.g. ["en", "fr"]), draftExtra (inputs
given to the notice's draft), withTemplate (default false: a NoticeTemplate listing the custom
vendor, linked to the notice's GDPR configuration and taken by its draft).
"""

import pulumi

config = pulumi.Config()
native = config.get("hosting") == "native"
if native:
    import pulumi_didomi.native as didomi
else:
    import pulumi_didomi as didomi  # type: ignore[no-redef]

analytics_inputs = {
    "description": {"en": "Audience measurement", "fr": "Mesure d'audience"},
    "details": {
        "en": "We count visits to improve the shop.",
        "fr": "Nous comptons les visites pour améliorer la boutique.",
    },
    **(config.get_object("analyticsExtra") or {}),
}
analytics = didomi.Purpose("analytics", **analytics_inputs)
personalisation = didomi.Purpose(
    "personalisation",
    description={"en": "Personalised offers", "fr": "Offres personnalisées"},
    details={
        "en": "We tailor offers to what you looked at.",
        "fr": "Nous adaptons les offres à ce que vous avez consulté.",
    },
    regulations=["gdpr"],
)

listed = []
if config.get_bool("withTracker") is not False:
    tracker_inputs = {
        "name": config.get("trackerName") or "Example Tracker",
        "category_id": "analytics",
        "website": config.get("trackerWebsite") or "https://tracker.example/privacy",
        "hosts": ["tracker.example"],
        "url_patterns": [r"^https://cdn\.tracker\.example/"],
        "default_purposes": [analytics.id],
        "legitimate_interest_purposes": [personalisation.id],
        "cookie_max_duration": 13,
        "cookie_max_duration_unit": "months",
        "storages": [
            {
                "type": "cookie",
                "identifier": "_trk",
                "domain": ".tracker.example",
                "max_age": 13,
                "max_age_unit": "months",
                "purposes": [analytics.id],
            }
        ],
        "adopt_id": config.get("adoptVendor"),
        **(config.get_object("vendorExtra") or {}),
    }
    tracker = didomi.Vendor("tracker", **tracker_inputs)
    listed.append(tracker.id)
    pulumi.export("tracker_id", tracker.id)

google = didomi.get_vendor(iab_id=755)

notice = didomi.Notice("notice", name="Shop consent notice")
templates = []
if config.get_bool("withTemplate"):
    template = didomi.NoticeTemplate(
        "eu-vendors",
        name="EU vendor list",
        vendors=[*listed, google.id],
        notices=[{"notice_id": notice.id, "regulations": ["gdpr"]}],
    )
    templates.append(template.link if native else template)
draft = didomi.NoticeDraftConfig(
    "notice-draft",
    notice_id=notice.id,
    config={
        "app": {
            "name": "Shop",
            "vendors": {"include": [*listed, google.id]},
            "essentialPurposes": [],
        },
        **(
            {"languages": {"enabled": config.get_object("noticeLanguages"), "default": "en"}}
            if config.get_object("noticeLanguages")
            else {}
        ),
    },
    **({"templates": templates} if templates else {}),
    **(config.get_object("draftExtra") or {}),
)
release = didomi.NoticeDeployment("notice-release", draft=draft.publication if native else draft)

pulumi.export("analytics_id", analytics.id)
pulumi.export("personalisation_id", personalisation.id)
pulumi.export("google_id", google.id)
pulumi.export("notice_id", notice.id)
pulumi.export("deployment_id", release.deployment_id)
