"""Consumer-oriented comparison of two OpenAPI 3.0.x documents ("spec-diff").

`diff_documents(old, new)` returns one `Change` per difference, each with a stable,
readable key rendered from its structured `Location` (method, path, section, JSON pointer
into the schema; `model.py`), a kind and a severity (breaking / potentially-breaking / safe)
from `rules.RULES`, judged from the point of view of code that *calls* the API through a
generated client. `python -m commprefs_kit.specdiff OLD NEW` is the command line.

Why hand-written: there is no established, maintained Python tool for this. oasdiff
(the reference, whose classification inspired the table) and pb33f's openapi-changes
are Go programs not installable here; the PyPI packages found (openapispecdiff, last
released 2022; api-schema-diff, api-diff-sentinel, openapi-lens: recent 1.0 releases
without a track record) are not established enough to pin a CI gate on. The engine is
small: loading and normalisation (document.py), schema walk (schema.py), operations and
responses (compare.py), the severity table (rules.py), rendering (report.py), recorded
deviations (deviations.py).

Matching: operations by METHOD + path (parameter names and API version segments
blanked, see document.py); parameters by location and name (path ones by position);
media types exactly, else by the wildcard that covers them (`*/*` upstream vs
`application/json` here is one "made concrete" change, and the schemas are compared);
status codes exactly, else by the range (4XX) or, for non-2xx, the `default` that
covered them, so declaring 400 explicitly where `default` served is not a change unless
its body differs. Schema locations read like JSONPath (`$.results[].legalBasis`).

Noise, ignored by design (it changes no request, response or generated signature):
descriptions, summaries, titles, examples (HubSpot's documents are full of
`example: null`), externalDocs, the document-level tag list, `info`, `style`/`explode`,
`readOnly`/`writeOnly`, the patch level of the `openapi` version (3.0.1 vs 3.0.3),
the origin of `$ref`s (inline and referenced schemas are compared by content, so
moving an enum into a component is not a change) and HubSpot's `x-hubspot-*` tier
and rollout metadata. Other operation-level `x-` extensions (e.g. `x-retry-safe`)
and response `links` are compared, because tooling reads them (an extension change or
a new link is safe; a removed link is potentially breaking).
Not compared: a link's target parameters, response header `required`, callbacks,
webhooks and external `$ref`s (an external ref is reported as an error).
"""

from commprefs_kit.specdiff.compare import diff_documents
from commprefs_kit.specdiff.document import Document, SpecError, load_document
from commprefs_kit.specdiff.model import Change, Location, Severity, Side
from commprefs_kit.specdiff.rules import RULES

__all__ = [
    "RULES",
    "Change",
    "Document",
    "Location",
    "Severity",
    "Side",
    "SpecError",
    "diff_documents",
    "load_document",
]
