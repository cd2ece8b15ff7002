"""Content shared across notices: one vendor-list template linked to three notices (GDPR), and an
approved text used by two of them; each notice published by its own deployment. Run with
`pulumi config set hosting native` for the `didomi` plugin.

Stack config: hosting (dynamic | native), templateVendors (the template's vendor ids, default
google and criteo), textContent (the approved text's wording by language), draftExtra (inputs
given to the first notice's draft).
"""

import pulumi

config = pulumi.Config()
native = config.get("hosting") == "native"
if native:
    import pulumi_didomi.native as didomi
else:
    import pulumi_didomi as didomi  # type: ignore[no-redef]

notices = [didomi.Notice(f"site-{i}", name=f"Site {i}") for i in range(3)]

text = didomi.NoticeText(
    "banner-text",
    name="Banner text, reviewed by legal",
    content=config.get_object("textContent")
    or {
        "en": "We and our partners use cookies.",
        "fr": "Nous et nos partenaires utilisons des cookies.",
    },
    platforms=["web"],
)

template = didomi.NoticeTemplate(
    "eu-vendors",
    name="EU vendor list",
    vendors=config.get_object("templateVendors") or ["google", "criteo"],
    essential_purposes=["cookies"],
    notices=[{"notice_id": n.id, "regulations": ["gdpr"]} for n in notices],
)

for index, notice in enumerate(notices):
    uses_text = {"text_mode": "approved", "text_id": text.id} if index < 2 else {}
    extra = (config.get_object("draftExtra") or {}) if index == 0 else {}
    draft = didomi.NoticeDraftConfig(
        f"site-{index}-draft",
        notice_id=notice.id,
        templates=[template.link if native else template],
        config={"app": {"name": f"Site {index}"}},
        **uses_text,
        **extra,
    )
    didomi.NoticeDeployment(f"site-{index}-release", draft=draft.publication if native else draft)
    pulumi.export(f"notice_{index}", notice.id)

pulumi.export("template_id", template.id)
pulumi.export("text_id", text.id)
pulumi.export("text_status", text.status)
