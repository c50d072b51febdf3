"""Document- and operation-level comparison: what `diff_documents` runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from commprefs_kit.specdiff.collect import Collector
from commprefs_kit.specdiff.document import (
    JSON,
    Document,
    Operation,
    load_document,
    media_type,
    status_code,
)
from commprefs_kit.specdiff.model import Change, Location, Side
from commprefs_kit.specdiff.schema import SchemaComparer

Source = str | Path | Mapping[str, Any] | Document
JSON_MEDIA = "application/json"
# Extensions that are HubSpot's rollout/tier metadata: no effect on requests, responses
# or generated code, and they churn between revisions.
NOISE_EXTENSION_PREFIXES = ("x-hubspot-",)


def diff_documents(old: Source, new: Source, *, match_versions: bool = True) -> list[Change]:
    """Every consumer-relevant change from `old` to `new`, sorted by key."""
    old_doc, new_doc = load_document(old), load_document(new)
    return _Differ(old_doc, new_doc, match_versions).run()


def _operations(doc: Document, match_versions: bool) -> dict[str, Operation] | None:
    ops: dict[str, Operation] = {}
    for op in doc.iter_operations(match_versions):
        if op.match_key in ops:
            return None  # two operations collide once versions are blanked
        ops[op.match_key] = op
    return ops


def _security(doc: Document, op: JSON) -> set[str]:
    """The operation's security alternatives, each rendered `scheme[scope, ...]`."""
    requirements = op["security"] if "security" in op else doc.raw.get("security")
    alternatives = set()
    for requirement in requirements or [{}]:
        parts = [
            f"{scheme}[{', '.join(sorted(map(str, scopes or [])))}]"
            for scheme, scopes in sorted((requirement or {}).items())
        ]
        alternatives.add(" + ".join(parts) or "anonymous")
    return alternatives


def _content(doc: Document, holder: JSON) -> dict[str, JSON]:
    content = holder.get("content") or {}
    return {media_type(str(k)): doc.resolve(v) or {} for k, v in content.items()}


def _match_media(media: str, candidates: dict[str, JSON]) -> str | None:
    """The candidate media type that covers `media`: itself, then `type/*`, then `*/*`."""
    for option in (media, media.split("/", 1)[0] + "/*", "*/*"):
        if option in candidates:
            return option
    return None


def _covering(responses: dict[str, JSON], code: str) -> str | None:
    """Which declared response answers `code`: itself, its range, or (not for 2xx) default.

    `default` is, by convention and in generated clients, the error response; letting it
    cover a newly declared 207 would compare a success body with the error body.
    """
    if code in responses:
        return code
    if len(code) == 3 and code.isdigit() and f"{code[0]}XX" in responses:
        return f"{code[0]}XX"
    if code != "default" and not code.startswith("2") and "default" in responses:
        return "default"
    return None


def _with_media(where: Location, media: str) -> Location:
    return replace(where, media="" if media == JSON_MEDIA else media)


def _at(op: Operation) -> Location:
    return Location(method=op.method, path=op.path)


class _Differ:
    def __init__(self, old: Document, new: Document, match_versions: bool) -> None:
        self.old, self.new = old, new
        self.out = Collector()
        self.schemas = SchemaComparer(old, new, self.out)
        self.match_versions = match_versions

    def run(self) -> list[Change]:
        self._document()
        old_ops = _operations(self.old, self.match_versions)
        new_ops = _operations(self.new, self.match_versions)
        if old_ops is None or new_ops is None:
            old_ops = _operations(self.old, False) or {}
            new_ops = _operations(self.new, False) or {}
        self._versions(old_ops, new_ops)
        for key in sorted(set(old_ops) | set(new_ops)):
            if key not in new_ops:
                self.out.add("operation-removed", _at(old_ops[key]), "removed")
            elif key not in old_ops:
                self.out.add("operation-added", _at(new_ops[key]), "added")
            else:
                self._operation(old_ops[key], new_ops[key])
        return self.out.changes()

    # ---- document -------------------------------------------------------------
    def _document(self) -> None:
        old_v = ".".join(str(self.old.raw["openapi"]).split(".")[:2])
        new_v = ".".join(str(self.new.raw["openapi"]).split(".")[:2])
        if old_v != new_v:  # patch releases of OpenAPI are editorial: not compared
            self.out.changed(
                "openapi-version-changed",
                Location(section="openapi"),
                "version",
                old_v,
                new_v,
                Side.REQUEST,
            )
        old_s, new_s = self.old.server_origins(), self.new.server_origins()
        if old_s != new_s:
            self.out.add("servers-changed", Location(section="servers"), "changed", old_s, new_s)
        self._security_schemes()

    def _versions(self, old_ops: dict[str, Operation], new_ops: dict[str, Operation]) -> None:
        old_v = sorted({v for op in old_ops.values() for v in op.versions})
        new_v = sorted({v for op in new_ops.values() for v in op.versions})
        if old_v and new_v and old_v != new_v:
            self.out.changed(
                "path-version-changed",
                Location(section="paths"),
                "version",
                old_v,
                new_v,
                Side.REQUEST,
            )

    def _security_schemes(self) -> None:
        def schemes(doc: Document) -> dict[str, JSON]:
            found = (doc.raw.get("components") or {}).get("securitySchemes") or {}
            return {str(k): doc.resolve(v) for k, v in found.items()}

        old, new = schemes(self.old), schemes(self.new)
        for name in sorted(set(old) | set(new)):
            where = Location(section="securitySchemes", name=name)
            if name not in new:
                self.out.add("security-scheme-removed", where, "removed", old[name].get("type"))
                continue
            if name not in old:
                self.out.add("security-scheme-added", where, "added", None, new[name].get("type"))
                continue
            o, n = old[name], new[name]
            for attr in ("type", "in", "name", "scheme", "bearerFormat", "openIdConnectUrl"):
                if o.get(attr) != n.get(attr):
                    self.out.changed(
                        "security-scheme-changed",
                        where,
                        attr,
                        o.get(attr),
                        n.get(attr),
                        Side.REQUEST,
                    )
            self._flows(where, o.get("flows") or {}, n.get("flows") or {})

    def _flows(self, where: Location, old: JSON, new: JSON) -> None:
        for flow in sorted(set(old) | set(new)):
            at = replace(where, flow=str(flow))
            if flow not in new or flow not in old:
                state = "removed" if flow not in new else "added"
                self.out.add("security-scheme-changed", at, state)
                continue
            o, n = old[flow] or {}, new[flow] or {}
            for attr in ("authorizationUrl", "tokenUrl", "refreshUrl"):
                if o.get(attr) != n.get(attr):
                    self.out.changed(
                        "security-scheme-changed", at, attr, o.get(attr), n.get(attr), Side.REQUEST
                    )
            old_scopes, new_scopes = set(o.get("scopes") or {}), set(n.get("scopes") or {})
            for scope in sorted(old_scopes - new_scopes):
                scoped = replace(at, part="scopes", part_name=str(scope))
                self.out.add("oauth-scope-removed", scoped, "removed", scope)
            for scope in sorted(new_scopes - old_scopes):
                scoped = replace(at, part="scopes", part_name=str(scope))
                self.out.add("oauth-scope-added", scoped, "added", None, scope)

    # ---- operations -----------------------------------------------------------
    def _operation(self, old: Operation, new: Operation) -> None:
        op = _at(new)
        o, n = old.raw, new.raw
        if o.get("operationId") != n.get("operationId"):
            self.out.changed(
                "operation-id-changed",
                op,
                "operationId",
                o.get("operationId"),
                n.get("operationId"),
                Side.REQUEST,
            )
        old_tags, new_tags = (
            sorted(map(str, o.get("tags") or [])),
            sorted(map(str, n.get("tags") or [])),
        )
        if old_tags != new_tags:
            self.out.changed("tags-changed", op, "tags", old_tags, new_tags, Side.REQUEST)
        if bool(o.get("deprecated")) != bool(n.get("deprecated")):
            kind = "operation-deprecated" if n.get("deprecated") else "operation-undeprecated"
            self.out.changed(
                kind,
                op,
                "deprecated",
                bool(o.get("deprecated")),
                bool(n.get("deprecated")),
                Side.REQUEST,
            )
        old_sec, new_sec = _security(self.old, o), _security(self.new, n)
        security = replace(op, section="security")
        for alt in sorted(old_sec - new_sec):
            self.out.add("security-requirement-removed", security, "removed", alt, detail=alt)
        for alt in sorted(new_sec - old_sec):
            self.out.add("security-requirement-added", security, "added", None, alt, detail=alt)
        for ext in sorted(k for k in set(o) | set(n) if k.startswith("x-")):
            if ext.startswith(NOISE_EXTENSION_PREFIXES) or o.get(ext) == n.get(ext):
                continue
            old_x, new_x = o.get(ext, "absent"), n.get(ext, "absent")
            self.out.changed("extension-changed", op, ext, old_x, new_x, Side.REQUEST)
        self._parameters(op, old, new)
        self._request_body(op, o, n)
        self._responses(op, o, n)

    def _parameters(self, op: Location, old: Operation, new: Operation) -> None:
        for slot in sorted(set(old.parameters) | set(new.parameters)):
            o, n = old.parameters.get(slot), new.parameters.get(slot)
            name = str((n or o or {}).get("name"))
            where = replace(op, section="parameters", param_in=slot[0], name=name)
            if n is None:
                self.out.add("parameter-removed", where, "removed", name)
                continue
            required = bool(n.get("required"))
            if o is None:
                kind = "parameter-added-required" if required else "parameter-added-optional"
                self.out.add(kind, where, "added", None, {"name": name, "required": required})
                continue
            if o.get("name") != n.get("name"):
                self.out.changed(
                    "parameter-renamed", where, "name", o.get("name"), name, Side.REQUEST
                )
            if bool(o.get("required")) != required:
                kind = "parameter-made-required" if required else "parameter-made-optional"
                self.out.changed(kind, where, "required", not required, required, Side.REQUEST)
            self.schemas.compare(
                self._param_schema(self.old, o),
                self._param_schema(self.new, n),
                Side.REQUEST,
                where,
            )

    @staticmethod
    def _param_schema(doc: Document, param: JSON) -> Any:
        if "schema" in param:
            return param["schema"]
        content = _content(doc, param)  # the rare `content` form: its single media type
        return next(iter(content.values()), {}).get("schema", {})

    def _request_body(self, op: Location, o: JSON, n: JSON) -> None:
        old = self.old.resolve(o.get("requestBody"))
        new = self.new.resolve(n.get("requestBody"))
        where = replace(op, section="requestBody")
        if not old and not new:
            return
        if not new:
            self.out.add("request-body-removed", where, "removed")
            return
        required = bool(new.get("required"))
        if not old:
            kind = "request-body-added-required" if required else "request-body-added-optional"
            self.out.add(kind, where, "added", None, {"required": required})
            return
        if bool(old.get("required")) != required:
            kind = "request-body-made-required" if required else "request-body-made-optional"
            self.out.changed(kind, where, "required", not required, required, Side.REQUEST)
        self._content(where, _content(self.old, old), _content(self.new, new), Side.REQUEST)

    def _content(
        self, where: Location, old: dict[str, JSON], new: dict[str, JSON], side: Side
    ) -> None:
        prefix = "request" if side is Side.REQUEST else "response"
        pairs: list[tuple[str, str]] = [(o, m) for m in new if (o := _match_media(m, old))]
        paired_old = {o for o, _ in pairs}
        pairs += [(m, n) for m in old if m not in paired_old and (n := _match_media(m, new))]
        paired_new = {n for _, n in pairs}
        for media in sorted(set(old) - {o for o, _ in pairs}):
            content = replace(where, part="content", part_name=media)
            self.out.add(f"{prefix}-media-type-removed", content, "removed", media, None, side)
        for media in sorted(set(new) - paired_new):
            content = replace(where, part="content", part_name=media)
            self.out.add(f"{prefix}-media-type-added", content, "added", None, media, side)
        for o, n in sorted(pairs):
            if o != n:
                kind = "media-type-specified" if "*" in o else "media-type-generalised"
                self.out.changed(kind, where, "content", o, n, side)
            self.schemas.compare(
                old[o].get("schema", {}), new[n].get("schema", {}), side, _with_media(where, n)
            )

    def _responses(self, op: Location, o: JSON, n: JSON) -> None:
        old = {
            status_code(k): self.old.resolve(v) or {} for k, v in (o.get("responses") or {}).items()
        }
        new = {
            status_code(k): self.new.resolve(v) or {} for k, v in (n.get("responses") or {}).items()
        }
        for code in sorted(set(old) | set(new)):
            where = replace(op, section="responses", status=code)
            family = "success" if code.startswith("2") else "error"
            # A status declared on one side only is still covered on the other by a range
            # (4XX) or, for non-2xx, by `default`: compare with what covered it there.
            old_match = _covering(old, code)
            new_match = _covering(new, code)
            if new_match is None:
                self.out.add(
                    f"response-{family}-removed", where, "removed", code, None, Side.RESPONSE
                )
                continue
            if old_match is None:
                self.out.add(f"response-{family}-added", where, "added", None, code, Side.RESPONSE)
                continue
            old_r, new_r = old[old_match], new[new_match]
            self._content(
                where, _content(self.old, old_r), _content(self.new, new_r), Side.RESPONSE
            )
            self._headers(where, old_r, new_r)
            old_links, new_links = set(old_r.get("links") or {}), set(new_r.get("links") or {})
            for link in sorted(old_links ^ new_links):
                state = "added" if link in new_links else "removed"
                linked = replace(where, part="links", part_name=str(link))
                self.out.add(f"response-link-{state}", linked, state, side=Side.RESPONSE)

    def _headers(self, where: Location, old: JSON, new: JSON) -> None:
        def headers(doc: Document, response: JSON) -> dict[str, tuple[str, JSON]]:
            found = response.get("headers") or {}
            return {str(k).lower(): (str(k), doc.resolve(v) or {}) for k, v in found.items()}

        o, n = headers(self.old, old), headers(self.new, new)
        for key in sorted(set(o) | set(n)):
            name = (n.get(key) or o[key])[0]
            at = replace(where, part="headers", part_name=name)
            if key not in n:
                self.out.add("response-header-removed", at, "removed", name, None, Side.RESPONSE)
            elif key not in o:
                self.out.add("response-header-added", at, "added", None, name, Side.RESPONSE)
            else:
                self.schemas.compare(
                    o[key][1].get("schema", {}), n[key][1].get("schema", {}), Side.RESPONSE, at
                )
