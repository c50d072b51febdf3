"""Routing now lives in ``commprefs_spec.routing``; kept as an import path for existing code."""

from commprefs_spec.routing import Match, Router

__all__ = ["Match", "Router"]
