"""A program built from a JSON spec in stack config (for the bad-input and isolation tests).

Config `spec`: {"drafts": {name: kwargs}, "deployments": {name: kwargs with "draft": name},
"widgets": {name: kwargs}, "functions": [[function name, kwargs], ...]}.
"""

import pulumi

import pulumi_didomi as didomi

spec = pulumi.Config().require_object("spec")
drafts = {}
for name, kwargs in spec.get("drafts", {}).items():
    drafts[name] = didomi.NoticeDraftConfig(name, **kwargs)
for name, kwargs in spec.get("deployments", {}).items():
    kwargs = dict(kwargs)
    if "draft" in kwargs:
        kwargs["draft"] = drafts[kwargs["draft"]]
    didomi.NoticeDeployment(name, **kwargs)
for name, kwargs in spec.get("widgets", {}).items():
    didomi.WidgetDeployment(name, **kwargs)
for function, kwargs in spec.get("functions", []):
    pulumi.export(function, str(getattr(didomi, function)(**kwargs)))
