"""One table of calls: each operation of the spec, called through its generated module with
example arguments derived from the spec.

The modules come from the generated package (``operation_modules()``, by the tag each module
carries); the arguments from the operation in the spec model: the contact for an email path
parameter, the first value of each required enum query parameter, and a body holding the
required fields of its schema (emails are the contact, ``subscriptionId`` the given subscription,
enums their first value unless ``ExampleInputs.enums`` picks another). So a test that needs "a
valid call of every operation" reads this table instead of writing ten calls out by hand, and a
new operation in the spec gets its call from the spec.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from hubspot_communication_preferences import AuthenticatedClient, models
from hubspot_communication_preferences.lib.operation import operation_modules
from hubspot_communication_preferences.types import Response

from commprefs_spec import Operation, Spec, pinned_spec


@dataclass(frozen=True)
class ExampleInputs:
    """The values example calls put where the spec asks for a contact, a subscription, ..."""

    contact: str = "example.contact@example.com"
    #: Further contacts for batch inputs (the first input is always ``contact``).
    more_contacts: tuple[str, ...] = ()
    subscription_id: int = 1
    #: A value per enum component where its first value is not the one to send.
    enums: Mapping[str, str] = field(default_factory=lambda: {"SubscriptionStatus": "SUBSCRIBED"})


@dataclass(frozen=True)
class Call:
    """One operation's generated module and the arguments of an example call."""

    operation: Operation
    module: ModuleType
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]

    def sync_detailed(self, client: AuthenticatedClient) -> Response[Any]:
        response: Response[Any] = self.module.sync_detailed(
            *self.args, client=client, **self.kwargs
        )
        return response

    async def asyncio_detailed(self, client: AuthenticatedClient) -> Response[Any]:
        response: Response[Any] = await self.module.asyncio_detailed(
            *self.args, client=client, **self.kwargs
        )
        return response


def example_calls(inputs: ExampleInputs | None = None, spec: Spec | None = None) -> dict[str, Call]:
    """An example call of every operation of ``spec`` (the pinned one by default), by id.

    KeyError names an operation the generated package has no module for (regenerate).
    """
    spec = spec or pinned_spec()
    inputs = inputs or ExampleInputs()
    modules = operation_modules()
    calls: dict[str, Call] = {}
    for operation_id, operation in spec.operations.items():
        if operation_id not in modules:
            raise KeyError(f"the generated client has no module for {operation_id}: regenerate")
        args, kwargs = _arguments(operation, spec, inputs)
        calls[operation_id] = Call(operation, modules[operation_id], args, kwargs)
    return calls


def _arguments(
    operation: Operation, spec: Spec, inputs: ExampleInputs
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in operation.parameters:
        if parameter.location == "path":
            args.append(_value(parameter.schema, parameter.name, parameter.schema_name, inputs))
        elif parameter.required:
            value = _value(parameter.schema, parameter.name, parameter.schema_name, inputs)
            enum = getattr(models, parameter.schema_name, None) if parameter.schema_name else None
            kwargs[_snake(parameter.name)] = enum(value) if enum is not None else value
    if operation.body_schema_name is not None:
        raw = spec.document["components"]["schemas"][operation.body_schema_name]
        body = _instance(raw, operation.body_schema_name, spec, inputs)
        kwargs["body"] = getattr(models, operation.body_schema_name).from_dict(body)
    return tuple(args), kwargs


def _instance(node: Any, name: str, spec: Spec, inputs: ExampleInputs) -> Any:
    """A minimal valid instance of a raw (OpenAPI) schema: required fields only."""
    component = _component(node)
    node = spec.resolve(node)
    if "allOf" in node and len(node["allOf"]) == 1:
        return _instance(node["allOf"][0], name, spec, inputs)
    if node.get("type") == "object" or "properties" in node:
        required = node.get("required", [])
        properties = node.get("properties", {})
        return {key: _instance(properties[key], key, spec, inputs) for key in required}
    if node.get("type") == "array":
        item = _instance(node.get("items", {}), name, spec, inputs)
        if item == inputs.contact:
            return [inputs.contact, *inputs.more_contacts]
        return [item]
    return _value(spec.json_schema(node), name, component, inputs)


def _value(
    schema: Mapping[str, Any], name: str, component: str | None, inputs: ExampleInputs
) -> Any:
    if "enum" in schema:
        choice = inputs.enums.get(component or "")
        return choice if choice in schema["enum"] else schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return inputs.subscription_id if name == "subscriptionId" else 0
    if kind == "boolean":
        return True
    # Strings: the spec's contacts are email addresses (format email, or named so).
    return inputs.contact


def _component(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
