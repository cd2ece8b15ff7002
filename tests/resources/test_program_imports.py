"""A Pulumi program imports only what it needs: declaring resources calls no API and validates
nothing (the provider does both), so the program process loads neither httpx nor pydantic."""

from __future__ import annotations

from tests.helpers import python_json

PROGRAM = """
import json, sys
import pulumi

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}, []

pulumi.runtime.set_mocks(Mocks(), preview=True)
import pulumi_didomi as didomi

@pulumi.runtime.test
def program():
    notice = didomi.Notice("notice", name="Banner")
    draft = didomi.NoticeDraftConfig(
        "banner", notice_id=notice.id, platform="web", consent_duration=6,
        consent_duration_unit="months", regulation_configurations=[{"regulation_id": "gdpr"}],
    )
    release = didomi.NoticeDeployment("release", draft=draft, message="hello")
    widget = didomi.Widget("pc", name="Preference center")
    deployed = didomi.WidgetDeployment("pc", widget_id=widget.id, triggers={"r": "1"})
    return pulumi.Output.all(draft.revision, release.revision, deployed.id)

program()
heavy = ("pydantic", "pydantic_core", "httpx", "httpcore", "fastapi", "sqlite3")
print(json.dumps(sorted(
    m for m in sys.modules
    if m.split(".")[0] in heavy or m.startswith(("pulumi_didomi.emulator", "pulumi_didomi.client."))
)))
"""


def test_a_program_loads_neither_httpx_nor_pydantic() -> None:
    loaded = python_json(PROGRAM)
    # The errors module is plain Python: the program raises ConfigurationError itself.
    assert loaded == ["pulumi_didomi.client.errors"], loaded


def test_resource_outputs_are_annotated_for_type_checkers_only() -> None:
    """Pulumi's SDK resolves a resource class's type hints for every resource it registers;
    ours convert nothing, so the classes carry none at run time (mypy still sees them)."""
    import pulumi._types

    import pulumi_didomi as didomi

    classes = [
        didomi.Notice,
        didomi.NoticeDraftConfig,
        didomi.NoticeDeployment,
        didomi.Widget,
        didomi.WidgetDeployment,
    ]
    for cls in classes:
        assert pulumi._types.resource_types(cls) == {}, cls.__name__
        assert "__annotations__" not in vars(cls) or vars(cls)["__annotations__"] == {}, cls
