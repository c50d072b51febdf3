"""What earlier exchanges promise about later reads: an opt-out or a status write that succeeded
must show in the next read of the same contact (the contract suite's `unsubscribe_all_visible`,
`status_write_visible` and workflow rules, contract_tests/README.md, applied to traffic the
proxy passes on).

A successful unsubscribe-all (single or batch) promises that every subscription of the contact
reads UNSUBSCRIBED and that the contact has an UNSUBSCRIBED wide status, in that business unit.
A successful status write promises the status its own answer reported; a write answered
SUBSCRIBED also ends the contact's opt-out from all email (mock_server/README.md, the rule
`wf_resubscribe` judges). Contacts are matched lower-cased, as HubSpot matches addresses.

Only what passed through the proxy is known: a change made elsewhere (HubSpot's UI, another
integration) between the write and the read shows as a finding. After one finding the promise
for that contact is dropped, so one such change is reported once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

UNSUBSCRIBED = "UNSUBSCRIBED"
SUBSCRIBED = "SUBSCRIBED"
Key = tuple[str, int]  # (contact lower-cased, business unit)


@dataclass
class Promise:
    opted_out: bool = False  # every subscription reads UNSUBSCRIBED (unsubscribe-all)
    wide: bool | None = None  # an UNSUBSCRIBED wide status is (True) / is not (False) expected
    subs: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (status, by whom)
    by: str = ""  # the operation that opted the contact out


@dataclass
class Broken:
    kind: str  # opt-out-not-visible / write-not-visible
    where: str
    detail: str


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return default


def _items(payload: Any, key: str = "results") -> list[Mapping[str, Any]]:
    found = payload.get(key) if isinstance(payload, Mapping) else None
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


class Memory:
    def __init__(self, size: int = 20_000) -> None:
        self._promises: OrderedDict[Key, Promise] = OrderedDict()
        self._size = size

    def _get(self, key: Key, create: bool) -> Promise | None:
        promise = self._promises.get(key)
        if promise is None and create:
            promise = self._promises[key] = Promise()
            while len(self._promises) > self._size:
                self._promises.popitem(last=False)
        return promise

    def observe(
        self,
        operation: str,
        contact: str | None,
        unit: int,
        request_body: Any,
        status: int,
        payload: Any,
    ) -> list[Broken]:
        """Learn from a successful write; judge a successful read. ``contact`` is the path's
        address (single-contact operations)."""
        if not 200 <= status < 300:
            return []
        contact = contact.lower() if contact else None
        if operation == "unsubscribe_all" and contact:
            self._opt_out(contact, unit, operation)
        elif operation == "batch_unsubscribe_all":
            failed = {
                str(e.get("id")).lower()
                for e in _items(payload, "errors")
                if e.get("id") is not None
            }
            inputs = request_body.get("inputs") if isinstance(request_body, Mapping) else None
            if isinstance(inputs, list):
                # dict.fromkeys: each contact once, in the order sent (the memory's order)
                contacts = dict.fromkeys(i.lower() for i in inputs if isinstance(i, str))
                for address in contacts:
                    if address not in failed:
                        self._opt_out(address, unit, operation)
        elif operation in ("update_status", "batch_update_statuses"):
            for item in _items(payload):
                email = item.get("subscriberIdString")
                who = email.lower() if isinstance(email, str) else contact
                if who:
                    self._wrote(who, _int(item.get("businessUnitId"), unit), item, operation)
        elif operation == "get_statuses" and contact:
            return self._read_statuses(contact, unit, _items(payload), "body results")
        elif operation == "batch_get_statuses":
            out = []
            for index, item in enumerate(_items(payload)):
                email = item.get("subscriberIdString")
                if isinstance(email, str):
                    where = f"body results[{index}].statuses"
                    out += self._read_statuses(email.lower(), unit, _items(item, "statuses"), where)
            return out
        elif operation == "get_unsubscribe_all_status" and contact:
            return self._read_wide(contact, unit, _items(payload), "body results")
        elif operation == "batch_get_unsubscribe_all_statuses":
            out = []
            for index, item in enumerate(_items(payload)):
                email = item.get("subscriberIdString")
                if isinstance(email, str):
                    where = f"body results[{index}].wideStatuses"
                    out += self._read_wide(email.lower(), unit, _items(item, "wideStatuses"), where)
            return out
        return []

    def _opt_out(self, contact: str, unit: int, operation: str) -> None:
        key = (contact, unit)
        promise = self._promises.get(key)
        if promise is not None and promise.opted_out and promise.wide and not promise.subs:
            promise.by = operation  # the same promise again (a repeated batch): nothing to add
            return
        promise = self._get(key, create=True)
        assert promise is not None
        promise.opted_out = True
        promise.wide = True
        promise.subs.clear()
        promise.by = operation

    def _wrote(self, contact: str, unit: int, item: Mapping[str, Any], operation: str) -> None:
        sid = item.get("subscriptionId")
        status = item.get("status")
        if not isinstance(sid, int) or status not in (UNSUBSCRIBED, SUBSCRIBED):
            return
        promise = self._get((contact, unit), create=True)
        assert promise is not None
        promise.subs[sid] = (str(status), operation)
        if status == SUBSCRIBED and promise.wide:
            promise.wide = False

    def _read_statuses(
        self, contact: str, unit: int, items: list[Mapping[str, Any]], where: str
    ) -> list[Broken]:
        promise = self._get((contact, unit), create=False)
        if promise is None:
            return []
        for item in items:
            sid = item.get("subscriptionId")
            if not isinstance(sid, int):
                continue
            wanted, by = promise.subs.get(sid, (UNSUBSCRIBED if promise.opted_out else "", ""))
            if wanted and item.get("status") != wanted:
                by = by or promise.by
                kind = "opt-out-not-visible" if not promise.subs.get(sid) else "write-not-visible"
                del self._promises[(contact, unit)]
                return [
                    Broken(
                        kind,
                        where,
                        f"subscription {sid} of {contact} (business unit {unit}) reads "
                        f"{item.get('status')!r} after a successful {by} made it {wanted}",
                    )
                ]
        return []

    def _read_wide(
        self, contact: str, unit: int, items: list[Mapping[str, Any]], where: str
    ) -> list[Broken]:
        promise = self._get((contact, unit), create=False)
        if promise is None or promise.wide is None:
            return []
        opted_out = any(item.get("status") == UNSUBSCRIBED for item in items)
        if opted_out == promise.wide:
            return []
        del self._promises[(contact, unit)]
        if promise.wide:
            return [
                Broken(
                    "opt-out-not-visible",
                    where,
                    f"{contact} (business unit {unit}) has no UNSUBSCRIBED wide status after a "
                    f"successful {promise.by}",
                )
            ]
        return [
            Broken(
                "write-not-visible",
                where,
                f"{contact} (business unit {unit}) is still opted out of all email after a "
                "write answered SUBSCRIBED (mock_server/README.md: a resubscribe ends it)",
            )
        ]
