"""Consumer-oriented comparison of two OpenAPI 3.0.x documents ("spec-diff").

`diff_documents(old, new)` returns one `Change` per difference, each with a stable,
readable key, a kind and a severity (breaking / potentially-breaking / safe) from
`rules.RULES`, judged from the point of view of code that *calls* the API through a
generated client. `python -m commprefs_kit.specdiff OLD NEW` is the command line.

Why hand-written: there is no established, maintained Python tool for this. oasdiff
(the reference, whose classification inspired the table) and pb33f's openapi-changes
are Go programs not installable here; the PyPI projects that exist are single-author,
young or abandoned (openapispecdiff last released 2022) and none classifies changes
by consumer impact with a table we can review. The engine is small: loading and
normalisation (document.py), schema walk (schema.py), operations (compare.py), the
table (rules.py).

Noise, ignored by design (it changes no request, response or generated signature):
descriptions, summaries, titles, examples (HubSpot's documents are full of
`example: null`), externalDocs, the document-level tag list, `info`, `style`/`explode`,
`readOnly`/`writeOnly`, the patch level of the `openapi` version (3.0.1 vs 3.0.3),
the origin of `$ref`s (inline and referenced schemas are compared by content, so
moving an enum into a component is not a change) and HubSpot's `x-hubspot-*` tier
and rollout metadata. Other operation-level `x-` extensions (e.g. `x-retry-safe`)
and response `links` are compared, as safe changes, because tooling reads them.
Not compared: a link's target parameters, response header `required`, callbacks,
webhooks and external `$ref`s (an external ref is reported as an error).
"""

from commprefs_kit.specdiff.compare import diff_documents
from commprefs_kit.specdiff.document import Document, SpecError, load_document
from commprefs_kit.specdiff.model import Change, Severity, Side
from commprefs_kit.specdiff.rules import RULES

__all__ = [
    "RULES",
    "Change",
    "Document",
    "Severity",
    "Side",
    "SpecError",
    "diff_documents",
    "load_document",
]
