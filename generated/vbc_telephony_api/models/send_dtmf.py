from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SendDtmf")


@_attrs_define
class SendDtmf:
    """Send DTMF tones into the call on this leg."""

    dtmf: str
    """ The tones: digits, `*`, `#` and A-D. Vonage documents only the example `*123#`;
    the character set and the lengths are this project's assumption.
     """

    def to_dict(self) -> dict[str, Any]:
        dtmf = self.dtmf

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dtmf": dtmf,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dtmf = d.pop("dtmf")

        send_dtmf = cls(
            dtmf,
        )

        return send_dtmf
