"""A local Didomi API emulator (FastAPI + SQLite) for demos and tests (the `emulator` extra)."""

from .app import create_app
from .settings import DEMO_CREDENTIAL, Credential, EmulatorSettings, FaultSettings

__all__ = ["DEMO_CREDENTIAL", "Credential", "EmulatorSettings", "FaultSettings", "create_app"]
