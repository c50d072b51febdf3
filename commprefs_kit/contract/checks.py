"""HubSpot-specific Schemathesis checks: what the built-in checks cannot fail on for this API.

Importing this module registers the checks with `schemathesis.check`, so they run wherever
Schemathesis validates a response (the pytest suite, its state machine, the CLI with `--checks`)
and can be switched off in `schemathesis.toml` (`[checks.<name>] enabled = false`).

Every check returns `SKIP` when the response says nothing about its rule (another status code,
a body the schema checks already reject), `None` when it judged and the rule holds, and raises
`AssertionError` with one readable sentence when the rule is broken.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis import Case as _Case
from schemathesis import CheckContext, Response
from schemathesis.core.failures import Failure
from schemathesis.openapi import checks as _openapi_failures

from commprefs_spec import Spec, pinned_spec

# Schemathesis' Case is generic in its operation type.
Case = _Case[Any]


def _groups(spec: Spec) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The operation groups the checks' rules speak of, read from the spec's shapes."""
    ops = spec.operations.values()
    email_batch = frozenset(
        op.operation_id
        for op in ops
        if (op.body_schema or {}).get("properties", {}).get("inputs", {}).get("items")
        == {"type": "string"}
    )
    opt_out_of_all = frozenset(
        op.operation_id
        for op in ops
        if op.method == "POST" and op.path.rstrip("/").endswith("/unsubscribe-all")
    )
    contact_reads = frozenset(
        op.operation_id
        for op in ops
        if op.method == "GET" and any(p.location == "path" for p in op.parameters)
    )
    return email_batch, opt_out_of_all, contact_reads


# Operations whose body is `{"inputs": [email, ...]}`: their 2xx answer has one result per input.
# Operations that opt a contact out of all email (POST .../unsubscribe-all), and the reads of one
# contact (GET with the contact in the path) that must show it afterwards.
EMAIL_BATCH_OPERATIONS, UNSUBSCRIBE_ALL_OPERATIONS, CONTACT_READ_OPERATIONS = _groups(pinned_spec())
CORRELATION_HEADER = "x-hubspot-correlation-id"

# What a check returns when the response says nothing about its rule: Schemathesis then counts
# it as skipped, not passed (returning None after judging counts as a pass).
SKIP = True

# The rules contract_tests/test_workflows.py judges (hand-written state machine, generated client).
WORKFLOW_CHECKS = (
    "wf_definitions_feed_writes",
    "wf_unsubscribe_all_visible",
    "wf_write_read_back",
    "wf_resubscribe",
    "wf_contacts_case_insensitive",
)

# The names of the checks in this module, in the order a report shows them.
CUSTOM_CHECKS = (
    "auth_enforced",
    "batch_result_per_input",
    "hubspot_error_body",
    "correlation_id_header",
    "rate_limit_guidance",
    "unsubscribe_all_visible",
    "status_write_visible",
)


def contact_key(email: str) -> str:
    """One contact per address whatever its case: HubSpot matches contact emails lower-cased."""
    return email.lower()


def operation_id(case: Case) -> str:
    return str(case.operation.definition.raw.get("operationId", case.operation.label))


def _json_body(response: Response) -> Any:
    """The parsed body, or None when it is not JSON (content-type checks report that)."""
    content_type = response.headers.get("content-type")
    if not content_type or "json" not in content_type[0].lower():
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _inputs(case: Case) -> list[Any] | None:
    body = case.body
    if not isinstance(body, Mapping):
        return None
    inputs = body.get("inputs")
    return inputs if isinstance(inputs, list) else None


def _email_inputs(case: Case) -> list[str] | None:
    """The request's `inputs` when they are all strings (a negative case may send anything)."""
    inputs = _inputs(case)
    if inputs is None:
        return None
    emails = [item for item in inputs if isinstance(item, str)]
    return emails if len(emails) == len(inputs) else None


def _change_key(item: Any) -> tuple[str, object] | None:
    """(email, subscriptionId) of one status change or one PublicStatus result."""
    if not isinstance(item, Mapping) or not isinstance(item.get("subscriberIdString"), str):
        return None
    return (item["subscriberIdString"], item.get("subscriptionId"))


def _sample(values: Iterable[object], limit: int = 3) -> str:
    items = list(values)
    shown = ", ".join(repr(item) for item in items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


Key = tuple[str, object]


def _folded(key: Key) -> Key:
    return (contact_key(key[0]), key[1])


def _claim(pool: list[Key], key: Key, same: Callable[[Key], Key]) -> bool:
    """Remove the first entry of `pool` that `key` names (compared after `same`)."""
    for index, candidate in enumerate(pool):
        if same(candidate) == same(key):
            del pool[index]
            return True
    return False


def _unmatched_batch(
    wanted: list[Key], answered: list[Key], error_ids: list[str | None]
) -> tuple[list[Key], list[Key]]:
    """Match answers to distinct inputs; return (inputs left unanswered, answers left over).

    An answer names its input exactly, or else with the email in another letter case (HubSpot
    may answer with the stored address). An error accounts for one input with the email in its
    `id`, or for any one input when it has no `id`.
    """
    open_inputs = list(wanted)
    leftover = []
    for key in answered:
        if not _claim(open_inputs, key, lambda k: k) and not _claim(open_inputs, key, _folded):
            leftover.append(key)
    for error_id in error_ids:
        if error_id is None:
            if open_inputs:
                open_inputs.pop(0)
            continue
        for same in (lambda k: k[0], lambda k: contact_key(k[0])):
            match = next((k for k in open_inputs if same(k) == same((error_id, None))), None)
            if match is not None:
                open_inputs.remove(match)
                break
    return open_inputs, leftover


def batch_result_per_input(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 2xx batch answer names every distinct input exactly once, in `results` or in `errors`.

    Order does not matter; identical inputs count once (the spec's "every input appears once").
    Inputs that differ in letter case are different inputs (of one contact): each is answered.
    For the batch write an input is one status change, named by (email, subscriptionId).
    """
    operation = operation_id(case)
    if not 200 <= response.status_code < 300:
        return SKIP
    payload = _json_body(response)
    if not isinstance(payload, Mapping):
        return SKIP
    results = payload.get("results")
    errors = payload.get("errors") or []
    if not isinstance(results, list) or not isinstance(errors, list):
        return SKIP
    if operation in EMAIL_BATCH_OPERATIONS:
        emails = _email_inputs(case)
        if emails is None:
            return SKIP
        wanted: list[Key] = [(email, None) for email in dict.fromkeys(emails)]
        answered: list[Key] = [
            (item["subscriberIdString"], None)
            for item in results
            if isinstance(item, Mapping) and isinstance(item.get("subscriberIdString"), str)
        ]
    elif operation == "batch_update_statuses":
        changes = _inputs(case)
        if changes is None:
            return SKIP
        if any(_change_key(item) is None for item in changes):
            return SKIP
        distinct = {_canonical(item): _change_key(item) for item in changes}
        wanted = [key for key in distinct.values() if key is not None]
        answered = [key for key in map(_change_key, results) if key is not None]
    else:
        return SKIP
    error_ids = [
        error.get("id") if isinstance(error, Mapping) and isinstance(error.get("id"), str) else None
        for error in errors
    ]
    missing, leftover = _unmatched_batch(wanted, answered, error_ids)
    problems = []
    if leftover:
        problems.append(f"answers no distinct input is left for: {_sample(leftover)}")
    if missing:
        problems.append(
            f"{len(missing)} of {len(wanted)} distinct inputs are neither in `results` nor in "
            f"`errors`: {_sample(key[0] if key[1] is None else key for key in missing)}"
        )
    if problems:
        raise AssertionError("Batch answer does not match its inputs: " + "; ".join(problems))
    return None


def _canonical(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _non_empty_string(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def hubspot_error_body(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every JSON error answer (4xx/5xx, except 429) is HubSpot's error body.

    That is `status: "error"`, a non-empty `message` and `category`, and a `correlationId` that is
    a UUID of any version (HubSpot's recent ids look like UUIDv7). A 5xx HTML page from a proxy
    is allowed by the spec and not judged here.
    """
    if response.status_code < 400 or response.status_code == 429:
        return SKIP
    payload = _json_body(response)
    if payload is None:
        return SKIP
    if not isinstance(payload, Mapping):
        raise AssertionError(f"Error body is a JSON {type(payload).__name__}, not an object")
    problems = []
    if payload.get("status") != "error":
        problems.append(f"`status` is {payload.get('status')!r}, not 'error'")
    if not _non_empty_string(payload.get("message")):
        problems.append("`message` is missing or empty")
    if not _non_empty_string(payload.get("category")):
        problems.append("`category` is missing or empty")
    if not _is_uuid(payload.get("correlationId")):
        problems.append(f"`correlationId` {payload.get('correlationId')!r} is not a UUID")
    if problems:
        raise AssertionError("Not HubSpot's error body: " + "; ".join(problems))
    return None


def correlation_id_header(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """When an error answer sends `X-HubSpot-Correlation-Id`, it repeats the body's id."""
    if response.status_code < 400:
        return SKIP
    header = response.headers.get(CORRELATION_HEADER)
    payload = _json_body(response)
    if not header or not isinstance(payload, Mapping) or "correlationId" not in payload:
        return SKIP
    if header[0] != payload["correlationId"]:
        raise AssertionError(
            f"{CORRELATION_HEADER} is {header[0]!r} but the body's correlationId is "
            f"{payload['correlationId']!r}"
        )
    return None


def rate_limit_guidance(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 429 tells the client how to back off: `Retry-After` seconds or the body's `policyName`."""
    if response.status_code != 429:
        return SKIP
    retry_after = (response.headers.get("retry-after") or [""])[0].strip()
    payload = _json_body(response)
    policy = payload.get("policyName") if isinstance(payload, Mapping) else None
    # Seconds are ASCII digits (RFC 9110 delay-seconds); str.isdigit alone also takes "²" or "٣".
    if retry_after and not (retry_after.isascii() and retry_after.isdigit()):
        raise AssertionError(f"Retry-After {retry_after!r} is not a number of seconds")
    if not retry_after and not _non_empty_string(policy):
        raise AssertionError("429 without Retry-After and without a policyName in the body")
    if not isinstance(payload, Mapping) or not _non_empty_string(payload.get("message")):
        raise AssertionError("429 body has no `message`")
    return None


# Operations already probed in this process: one pair of probes per operation is enough.
_AUTH_PROBED: set[str] = set()
BOGUS_TOKEN = "contract-suite-bogus-token-0000"


def _send_probe(ctx: CheckContext, case: Case, authorization: str | None) -> Response:
    """`case` again, with the run's transport settings but `authorization` as the only auth."""
    kwargs = dict(getattr(ctx.internals, "transport_kwargs", None) or {})
    headers = {
        k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "authorization"
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    kwargs["headers"] = headers
    if case.operation.app is not None:
        kwargs.setdefault("app", case.operation.app)
    probe_headers = CaseInsensitiveDict(
        {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    )
    probe = case.derive(headers=probe_headers)
    response: Response = case.operation.schema.transport.send(probe, **kwargs)
    return response


def auth_enforced(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """An operation that answered 2xx with the token answers 401 without it, and 401 with a
    token nobody issued (once per operation and run).

    Schemathesis' own `ignored_auth` only probes apiKey and http schemes, and this spec's
    scheme is oauth2, so it never probes here; this check does.
    """
    label = case.operation.label
    if not 200 <= response.status_code < 300 or label in _AUTH_PROBED:
        return SKIP
    _AUTH_PROBED.add(label)
    for scenario, authorization in (
        ("without a token", None),
        ("with a token nobody issued", f"Bearer {BOGUS_TOKEN}"),
    ):
        probe = _send_probe(ctx, case, authorization)
        if probe.status_code != 401:
            raise AssertionError(
                f"{label} answered {probe.status_code} {scenario} (expected 401; it answered "
                f"{response.status_code} with the token)"
            )
    return None


# ---- stateful checks: they judge a read against the write that a spec link led to --------------


def _parent(ctx: CheckContext, case: Case) -> tuple[Case, Response] | None:
    """The case this one was linked from and that case's response, in the stateful phase."""
    # `ctx.internals` is Schemathesis' own access to the scenario; absent outside stateful runs.
    internals = getattr(ctx, "internals", None)
    find_parent: Callable[..., Case | None] | None = getattr(internals, "find_parent", None)
    find_response: Callable[..., Response | None] | None = getattr(internals, "find_response", None)
    if find_parent is None or find_response is None:
        return None
    parent = find_parent(case_id=case.id)
    if parent is None:
        return None
    parent_response = find_response(case_id=parent.id)
    if parent_response is None:
        return None
    return parent, parent_response


def _business_unit(case: Case) -> object:
    """The business unit a case addresses; none given is the default unit, 0."""
    value = (case.query or {}).get("businessUnitId", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _path_contact(case: Case) -> str | None:
    value = (case.path_parameters or {}).get("subscriberIdString")
    return contact_key(unquote(value)) if isinstance(value, str) else None


def _unsubscribed_contacts(parent: Case) -> set[str]:
    if operation_id(parent) == "unsubscribe_all":
        contact = _path_contact(parent)
        return {contact} if contact else set()
    return {contact_key(item) for item in (_email_inputs(parent) or [])}


def unsubscribe_all_visible(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """After a successful unsubscribe-all, a linked read shows it (stateful phase only).

    Every subscription status of the contact reads UNSUBSCRIBED, and the contact has an
    UNSUBSCRIBED wide status, for the same business unit.
    """
    op = operation_id(case)
    if op not in CONTACT_READ_OPERATIONS or response.status_code != 200:
        return SKIP
    linked = _parent(ctx, case)
    if linked is None:
        return SKIP
    parent, parent_response = linked
    if operation_id(parent) not in UNSUBSCRIBE_ALL_OPERATIONS or parent_response.status_code != 200:
        return SKIP
    contact = _path_contact(case)
    if contact is None or contact not in _unsubscribed_contacts(parent):
        return SKIP
    if _business_unit(parent) != _business_unit(case):
        return SKIP
    payload = _json_body(response)
    results = payload.get("results") if isinstance(payload, Mapping) else None
    if not isinstance(results, list):
        return SKIP
    statuses = [item.get("status") for item in results if isinstance(item, Mapping)]
    if op == "get_statuses":
        still = [status for status in statuses if status != "UNSUBSCRIBED"]
        if still:
            raise AssertionError(
                f"{len(still)} of {len(statuses)} subscriptions are not UNSUBSCRIBED right after "
                f"`{parent.operation.label}` for the same contact: {_sample(still)}"
            )
    elif "UNSUBSCRIBED" not in statuses:
        raise AssertionError(
            f"No UNSUBSCRIBED wide status right after `{parent.operation.label}` "
            "for the same contact"
        )
    return None


def status_write_visible(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """After a successful single status write, the linked read-back shows the written status.

    Only UNSUBSCRIBED writes are judged, since an opt-out always takes effect: what NOT_SPECIFIED
    reads back as, and whether an earlier opt-out from all email overrides a SUBSCRIBED write, is
    left to the workflow tests, which know the mock's documented rules.
    """
    if operation_id(case) != "get_statuses" or response.status_code != 200:
        return SKIP
    linked = _parent(ctx, case)
    if linked is None:
        return SKIP
    parent, parent_response = linked
    if operation_id(parent) != "update_status" or parent_response.status_code != 200:
        return SKIP
    body = parent.body
    if not isinstance(body, Mapping) or body.get("statusState") != "UNSUBSCRIBED":
        return SKIP
    if _path_contact(parent) != _path_contact(case):
        return SKIP
    payload = _json_body(response)
    results = payload.get("results") if isinstance(payload, Mapping) else None
    if not isinstance(results, list):
        return SKIP
    written = body.get("subscriptionId")
    wrong = [
        item.get("status")
        for item in results
        if isinstance(item, Mapping)
        and item.get("subscriptionId") == written
        and item.get("status") != "UNSUBSCRIBED"
    ]
    if wrong:
        raise AssertionError(
            f"Subscription {written} reads {wrong[0]!r} right after it was set to UNSUBSCRIBED"
        )
    return None


# -- the hint of Schemathesis' positive_data_acceptance: the cause the server named ---------

_HINT = "\nHint: "


def _blamed(case: Case, response: Response) -> list[str]:
    """Where HubSpot's error body says the problem is, named as the request's parts.

    HubSpot's error details carry `in` (the parameter or field) and a message; the top-level
    message often quotes the parameter. Each named part is given with the value that was sent.
    """
    payload = _json_body(response)
    if not isinstance(payload, Mapping):
        return []
    path = dict(case.path_parameters or {})
    query = dict(case.query or {})
    body = case.body if isinstance(case.body, Mapping) else {}
    named: list[str] = []

    def add(text: str) -> None:
        if text not in named:
            named.append(text)

    def where(name: str) -> str | None:
        if name in path:
            return f"path parameter `{name}` = {unquote(str(path[name]))!r}"
        if name in query:
            return f"query parameter `{name}` = {query[name]!r}"
        top = name.partition("[")[0].partition(".")[0]
        if top in body:
            return f"body field `{name}`"
        return None

    details = payload.get("errors")
    for detail in details if isinstance(details, list) else []:
        if isinstance(detail, Mapping) and isinstance(detail.get("in"), str):
            found = where(detail["in"])
            if found:
                message = detail.get("message")
                add(f"{found} ({message})" if isinstance(message, str) and message else found)
    message = payload.get("message")
    if not named and isinstance(message, str):
        for name in [*path, *query]:
            if re.search(rf"\b{re.escape(name)}\b", message):
                found = where(name)
                if found:
                    add(found)
    return named


def explain_rejection(failure: Failure, case: Case, response: Response) -> None:
    """Make the hint of a "Schema-valid request rejected" name what the server blamed.

    Schemathesis guesses the cause of a rejection: with extra body properties in the request it
    blames them, even when HubSpot's answer names another part (for example an address in the
    path it refuses). When the error body names parts of the request, the hint says those
    instead, with the values sent. The check's verdict is not changed, only its words.
    """
    if not isinstance(failure, _openapi_failures.RejectedPositiveData):
        return
    blamed = _blamed(case, response)
    if blamed:
        text = failure.message.partition(_HINT)[0]
        failure.message = f"{text}{_HINT}The server named {'; '.join(blamed)}."


def _explain_rejections(
    context: schemathesis.HookContext,
    case: Case,
    response: Response,
    results: list[schemathesis.CheckResult],
) -> None:
    """A global hook: it runs before the suite's own (schema) hook records the outcomes."""
    for result in results:
        if result.failure is not None:
            explain_rejection(result.failure, case, response)


# Registered here, in the order they are defined, rather than with `@schemathesis.check` and
# `@schemathesis.hook`: mutmut does not mutate decorated functions, and the mutation runs of
# issue 13 (benchmarks/mutation.py) would leave the checks themselves unmeasured.
for _check in (
    batch_result_per_input,
    hubspot_error_body,
    correlation_id_header,
    rate_limit_guidance,
    auth_enforced,
    unsubscribe_all_visible,
    status_write_visible,
):
    schemathesis.check(_check)
schemathesis.hook("after_validate")(_explain_rejections)
