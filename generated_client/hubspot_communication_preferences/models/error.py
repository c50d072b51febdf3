from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_context import ErrorContext
    from ..models.error_detail import ErrorDetail
    from ..models.links import Links


T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """HubSpot's error body, sent with every non-2xx answer but 429."""

    category: str
    """ Error category, e.g. VALIDATION_ERROR, INVALID_AUTHENTICATION, MISSING_SCOPES. """
    correlation_id: UUID
    """ The request's id; quote it to HubSpot support. """
    message: str
    """ What went wrong and how to fix it. """
    status: str | Unset = UNSET
    """ Always "error" in real bodies. """
    context: ErrorContext | Unset = UNSET
    """ Context of an error, e.g. `requiredScopes`; names to lists of strings. """
    errors: list[ErrorDetail] | Unset = UNSET
    """ Details, e.g. one per invalid input. """
    links: Links | Unset = UNSET
    """ Named related URLs. """
    sub_category: str | Unset = UNSET
    """ A finer category. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        correlation_id = str(self.correlation_id)

        message = self.message

        status = self.status

        context: dict[str, Any] | Unset = UNSET
        if not isinstance(self.context, Unset):
            context = self.context.to_dict()

        errors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item = errors_item_data.to_dict()
                errors.append(errors_item)

        links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links.to_dict()

        sub_category = self.sub_category

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "correlationId": correlation_id,
                "message": message,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if context is not UNSET:
            field_dict["context"] = context
        if errors is not UNSET:
            field_dict["errors"] = errors
        if links is not UNSET:
            field_dict["links"] = links
        if sub_category is not UNSET:
            field_dict["subCategory"] = sub_category

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_context import ErrorContext  # noqa: PLC0415
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415
        from ..models.links import Links  # noqa: PLC0415

        d = dict(src_dict)
        category = d.pop("category")

        correlation_id = UUID(d.pop("correlationId"))

        message = d.pop("message")

        status = d.pop("status", UNSET)

        _context = d.pop("context", UNSET)
        context: ErrorContext | Unset
        if isinstance(_context, Unset):
            context = UNSET
        else:
            context = ErrorContext.from_dict(_context)

        _errors = d.pop("errors", UNSET)
        errors: list[ErrorDetail] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:
                errors_item = ErrorDetail.from_dict(errors_item_data)

                errors.append(errors_item)

        _links = d.pop("links", UNSET)
        links: Links | Unset
        if isinstance(_links, Unset):
            links = UNSET
        else:
            links = Links.from_dict(_links)

        sub_category = d.pop("subCategory", UNSET)

        error = cls(
            category=category,
            correlation_id=correlation_id,
            message=message,
            status=status,
            context=context,
            errors=errors,
            links=links,
            sub_category=sub_category,
        )

        error.additional_properties = d
        return error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
