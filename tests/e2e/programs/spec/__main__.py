"""A program built from a JSON spec in stack config (for the bad-input and isolation tests).

Config `spec`: {"drafts": {name: kwargs}, "deployments": {name: kwargs with "draft": name},
"widgets": {name: kwargs}, "functions": [[function name, kwargs], ...],
"function_outputs": [[function name, kwargs], ...]}. In "function_outputs" a kwarg value
"@<draft>.<attribute>" is that draft resource's Output, passed to `<function>_output`; the
result is exported as it is.
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


def _resolve(value):
    if isinstance(value, str) and value.startswith("@"):
        draft, attribute = value[1:].split(".")
        return getattr(drafts[draft], attribute)
    return value


for function, kwargs in spec.get("function_outputs", []):
    args = {k: _resolve(v) for k, v in kwargs.items()}
    pulumi.export(function, getattr(didomi, f"{function}_output")(**args))
