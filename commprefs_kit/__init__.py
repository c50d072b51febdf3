"""Hand-written tooling around the pinned HubSpot Communication Preferences 2026-03 spec."""
