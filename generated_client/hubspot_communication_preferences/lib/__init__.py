"""The hand-written half of the client: retries, timeouts, typed errors, token safety.

Written by this project in ``openapi/lib/`` and placed here by ``scripts/regenerate``, so the
package is the whole client whether it is installed or vendored. Everything users need is
exported from the package itself (``from hubspot_communication_preferences import make_client``).
"""
