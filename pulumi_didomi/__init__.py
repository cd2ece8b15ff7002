"""Manage Didomi consent notices as infrastructure with Pulumi."""

__version__ = "0.1.0"

__all__ = ["__version__"]
