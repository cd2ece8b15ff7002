"""A native-provider program built from a JSON spec in stack config (for the policy pack tests).

Config `spec`: {"drafts": {name: kwargs}, "deployments": {name: kwargs with "draft": name}}, as
the `spec` program takes them, on `pulumi_didomi.native`: a deployment's "draft" becomes that
draft's `publication`; `regulation_configurations` items are `RegulationConfigurationArgs`.
"""

import pulumi

import pulumi_didomi.native as didomi

spec = pulumi.Config().require_object("spec")
drafts = {}
for name, kwargs in spec.get("drafts", {}).items():
    kwargs = dict(kwargs)
    if "regulation_configurations" in kwargs:
        kwargs["regulation_configurations"] = [
            didomi.RegulationConfigurationArgs(**item)
            for item in kwargs["regulation_configurations"]
        ]
    drafts[name] = didomi.NoticeDraftConfig(name, **kwargs)
for name, kwargs in spec.get("deployments", {}).items():
    kwargs = dict(kwargs)
    if "draft" in kwargs:
        kwargs["draft"] = drafts[kwargs["draft"]].publication
    didomi.NoticeDeployment(name, **kwargs)
