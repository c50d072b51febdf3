"""The ten operations: validated request in, (status, JSON body bytes) out.

Handlers run synchronously under the store's lock, so each request is atomic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson

from commprefs_spec.model import JSON
from mock_server import semantics as sem
from mock_server.clock import iso_now
from mock_server.config import MockConfig
from mock_server.fixtures import Definition
from mock_server.serialize import StatusJson, bulk_item, join
from mock_server.store import StatusRecord, Store
from mock_server.validation import BodyResult


@dataclass
class Request:
    query: Mapping[str, Any]  # shared between requests: read only
    path: dict[str, Any]
    body: BodyResult | None
    started: str


Handler = Callable[["Handlers", Request], tuple[int, bytes]]

_ENVELOPE_HEAD = b'{"status":"%s","results":' % sem.ENVELOPE_STATUS.encode()
_BULK_ITEM = b'{"subscriberIdString":'


def _envelope_bytes(results: bytes, started: str, errors: list[JSON] | None = None) -> bytes:
    """The envelope around already serialized ``results`` (spliced: no second encoding)."""
    stamp = started.encode()
    parts = [
        _ENVELOPE_HEAD,
        results,
        b',"startedAt":"',
        stamp,
        b'","completedAt":"',
        iso_now().encode(),
        b'","requestedAt":"',
        stamp,
        b'"',
    ]
    if errors:
        parts += [b',"errors":', orjson.dumps(errors), b',"numErrors":%d' % len(errors)]
    parts.append(b"}")
    return b"".join(parts)


def _envelope(results: Any, started: str, errors: list[JSON] | None = None) -> bytes:
    return _envelope_bytes(orjson.dumps(results), started, errors)


def _bulk_ids(emails: list[str]) -> bytes:
    """``[{"subscriberIdString": e}, ...]`` serialized from one encoding of the list.

    Inside an encoded JSON string every quote is escaped, so ``","`` only ever occurs
    between two items; replacing it is safe for any string (tests check odd ones).
    """
    if not emails:
        return b"[]"
    items = orjson.dumps(emails)[1:-1].replace(b'","', b'"},' + _BULK_ITEM + b'"')
    return b"[" + _BULK_ITEM + items + b"}]"


def _distinct(inputs: list[Any]) -> list[tuple[int, Any]]:
    """Each distinct input (a batch write's change objects) once, in first-seen order, with its
    index; identical ones merge."""
    seen: set[bytes] = set()
    out = []
    for index, item in enumerate(inputs):
        marker = (
            item.encode()
            if isinstance(item, str)
            else orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
        )
        if marker not in seen:
            seen.add(marker)
            out.append((index, item))
    return out


class Handlers:
    """Operation implementations over one store."""

    def __init__(self, store: Store, config: MockConfig) -> None:
        self.store = store
        self.config = config
        self._definitions_cache: dict[tuple[int, bool], bytes] = {}
        self._statuses = StatusJson()
        self._link_secret = f"commprefs-mock:{config.seed}".encode()
        self.table: dict[str, Handler] = {
            "get_definitions": Handlers.get_definitions,
            "get_statuses": Handlers.get_statuses,
            "update_status": Handlers.update_status,
            "get_unsubscribe_all_status": Handlers.get_unsubscribe_all_status,
            "unsubscribe_all": Handlers.unsubscribe_all,
            "batch_get_statuses": Handlers.batch_get_statuses,
            "batch_update_statuses": Handlers.batch_update_statuses,
            "batch_unsubscribe_all": Handlers.batch_unsubscribe_all,
            "batch_get_unsubscribe_all_statuses": Handlers.batch_get_unsubscribe_all_statuses,
            "generate_links": Handlers.generate_links,
        }

    def forget_cache(self) -> None:
        self._definitions_cache.clear()
        self._statuses.forget()

    # -- definitions -----------------------------------------------------------------------
    def get_definitions(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        translations = bool(req.query.get("includeTranslations"))
        results = self._definitions_cache.get((unit, translations))
        if results is None:
            defs = []
            for d in self.store.fixtures.units.get(unit, ()):
                api = dict(d.api)
                if translations:
                    api.setdefault("subscriptionTranslations", [])
                else:
                    api.pop("subscriptionTranslations", None)
                defs.append(api)
            results = orjson.dumps(defs)
            self._definitions_cache[(unit, translations)] = results
        # The definitions only change with the fixtures: splice the cached list in.
        return 200, _envelope_bytes(results, req.started)

    # -- one contact -----------------------------------------------------------------------
    def get_statuses(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        email = req.path["subscriberIdString"]
        rows = self.store.statuses_in_unit(sem.subscriber_key(email), unit)
        return 200, _envelope_bytes(self._read_items(email, rows), req.started)

    def update_status(self, req: Request) -> tuple[int, bytes]:
        assert req.body is not None
        change = req.body.value
        definition, problems = sem.write_problems(
            self.store.fixtures, change, require_legal_basis=self.config.require_legal_basis
        )
        sem.raise_write_problems(problems)
        assert definition is not None
        email = req.path["subscriberIdString"]
        record, reason = self.store.write(
            sem.subscriber_key(email),
            definition,
            change["statusState"],
            change.get("legalBasis"),
            change.get("legalBasisExplanation"),
            req.started,
        )
        item = self._statuses.one(email, definition, record, reason)
        return 200, _envelope_bytes(join([item]), req.started)

    def get_unsubscribe_all_status(self, req: Request) -> tuple[int, bytes]:
        # `verbose` is declared on this read too; it changes nothing here.
        unit = sem.business_unit(self.store.fixtures, req.query)
        email = req.path["subscriberIdString"]
        return 200, _envelope(self._wide(email, unit), req.started)

    def unsubscribe_all(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        email = req.path["subscriberIdString"]
        verbose = bool(req.query.get("verbose"))
        rows = self.store.unsubscribe_all(
            sem.subscriber_key(email), unit, req.started, details=verbose
        )
        # verbose=false: "an empty response", i.e. results: [].
        return 200, _envelope_bytes(self._statuses.items(email, rows), req.started)

    # -- batches ---------------------------------------------------------------------------
    def batch_get_statuses(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        store = self.store
        return self._batch_read(
            req,
            lambda email: bulk_item(
                email,
                b"statuses",
                self._read_items(email, store.statuses_in_unit(sem.subscriber_key(email), unit)),
            ),
        )

    def batch_get_unsubscribe_all_statuses(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        return self._batch_read(
            req,
            lambda email: bulk_item(email, b"wideStatuses", orjson.dumps(self._wide(email, unit))),
        )

    def _batch_read(self, req: Request, one: Callable[[str], bytes]) -> tuple[int, bytes]:
        assert req.body is not None
        inputs: list[str] = req.body.value["inputs"]  # strings: the schema was checked
        sem.batch_size(len(inputs), self.config.max_batch_inputs)
        emails, errors = sem.split_batch_inputs(inputs)
        results = [one(email) for email in emails]
        return (207 if errors else 200), _envelope_bytes(join(results), req.started, errors)

    def batch_update_statuses(self, req: Request) -> tuple[int, bytes]:
        assert req.body is not None
        inputs = req.body.value["inputs"]
        sem.batch_size(len(inputs), self.config.max_batch_inputs)
        results: list[bytes] = []
        errors: list[JSON] = []
        for index, change in _distinct(inputs):
            email = change["subscriberIdString"]
            definition, problems = sem.write_problems(
                self.store.fixtures,
                change,
                require_legal_basis=self.config.require_legal_basis,
                where=f"inputs[{index}].",
            )
            if problems:
                errors.append(sem.standard_error(email, problems[0]["message"], problems))
                continue
            assert definition is not None
            record, reason = self.store.write(
                sem.subscriber_key(email),
                definition,
                change["statusState"],
                change.get("legalBasis"),
                change.get("legalBasisExplanation"),
                req.started,
            )
            results.append(self._statuses.one(email, definition, record, reason))
        return 200, _envelope_bytes(join(results), req.started, errors)

    def batch_unsubscribe_all(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        assert req.body is not None
        inputs: list[str] = req.body.value["inputs"]  # strings: the schema was checked
        sem.batch_size(len(inputs), self.config.max_batch_inputs)
        emails, errors = sem.split_batch_inputs(inputs)
        if not req.query.get("verbose"):
            # verbose=false: one result per input, `statuses` left out.
            self.store.unsubscribe_all_quiet(emails, unit, req.started)
            return 200, _envelope_bytes(_bulk_ids(emails), req.started, errors)
        results: list[bytes] = []
        for email in emails:
            rows = self.store.unsubscribe_all(
                sem.subscriber_key(email), unit, req.started, details=True
            )
            results.append(bulk_item(email, b"statuses", self._statuses.items(email, rows)))
        return 200, _envelope_bytes(join(results), req.started, errors)

    # -- links -------------------------------------------------------------------------------
    def generate_links(self, req: Request) -> tuple[int, bytes]:
        unit = sem.business_unit(self.store.fixtures, req.query)
        assert req.body is not None
        body = req.body.value
        email = body["subscriberIdString"]
        key = sem.subscriber_key(email)
        token = hashlib.sha256(self._link_secret + f"|{unit}|{key}".encode()).hexdigest()[:40]
        query = f"data={token}&bu={unit}"
        if body.get("language") is not None:
            query += f"&lang={quote(body['language'], safe='')}"
        base = f"{self.config.links_base_url}/hs/manage-preferences"
        out: JSON = {
            "subscriberIdString": email,
            "managePreferencesUrl": f"{base}?{query}",
            "unsubscribeAllUrl": f"{base}/unsubscribe-all?{query}",
        }
        if body.get("subscriptionId") is not None:
            definition = sem.subscription_in_unit(self.store.fixtures, body["subscriptionId"], unit)
            out["unsubscribeSingleUrl"] = (
                f"{base}/unsubscribe?{query}&subscriptionId={definition.id}"
            )
        return 200, orjson.dumps(out)

    # -- helpers -------------------------------------------------------------------------------
    def _read_items(self, email: str, rows: list[tuple[Definition, StatusRecord | None]]) -> bytes:
        return self._statuses.items(email, [(d, r, None) for d, r in rows])

    def _wide(self, email: str, unit: int) -> list[JSON]:
        wide = self.store.wide_status(sem.subscriber_key(email), unit)
        if wide is None:
            return []
        out: JSON = {
            "channel": sem.CHANNEL,
            "status": sem.UNSUBSCRIBED,
            "subscriberIdString": email,
            "timestamp": wide.timestamp,
            "wideStatusType": wide.wide_type,
        }
        if wide.wide_type == sem.BUSINESS_UNIT_WIDE:
            out["businessUnitId"] = unit
        return [out]
