"""A local Didomi API emulator (FastAPI + SQLite) for demos and tests (the `emulator` extra)."""

from .app import DEMO_CREDENTIAL, Credential, EmulatorSettings, FaultSettings, create_app

__all__ = ["DEMO_CREDENTIAL", "Credential", "EmulatorSettings", "FaultSettings", "create_app"]
