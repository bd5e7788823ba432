from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TransferCall")


@_attrs_define
class TransferCall:
    """Transfer the call from the `from` party to the `to` party."""

    from_: Contact
    """ A party of an existing call. """
    to: Contact
    """ A party of an existing call. """

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_.to_dict()

        to = self.to.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        from_ = Contact.from_dict(d.pop("from"))

        to = Contact.from_dict(d.pop("to"))

        transfer_call = cls(
            from_,
            to,
        )

        return transfer_call


from ..models.contact import Contact
