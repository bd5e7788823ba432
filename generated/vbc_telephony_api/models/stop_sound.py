from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="StopSound")


@_attrs_define
class StopSound:
    """Stop the audio playing into the leg."""

    stream: bool
    """ Must be false. """

    def to_dict(self) -> dict[str, Any]:
        stream = self.stream

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "stream": stream,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stream = d.pop("stream")

        stop_sound = cls(
            stream,
        )

        return stop_sound
