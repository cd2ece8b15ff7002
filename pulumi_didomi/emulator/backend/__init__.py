"""The emulated Didomi domain (moto-style backends): operations over the store, typed errors.

Routers parse a request, call one backend operation and render its result; every rule of the
API (what publishing copies, who may see what, quotas, archiving) lives here.
"""

from .metadata import MetadataBackend
from .notices import NoticesBackend
from .templates import TemplatesBackend
from .texts import TextsBackend
from .widgets import WidgetsBackend

__all__ = [
    "MetadataBackend",
    "NoticesBackend",
    "TemplatesBackend",
    "TextsBackend",
    "WidgetsBackend",
]
