from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PlaySound")


@_attrs_define
class PlaySound:
    """Play an audio file into the leg."""

    stream: bool
    """ Must be true. The code snippet sends it as a string; JSON true is what the schema documents. """
    stream_url: str
    """ An http(s) URL of the audio file, or RECORDER_RECORDINGTONE for the recording
    beep (the lengths are this project's assumption).
     """

    def to_dict(self) -> dict[str, Any]:
        stream = self.stream

        stream_url = self.stream_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "stream": stream,
                "stream_url": stream_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stream = d.pop("stream")

        stream_url = d.pop("stream_url")

        play_sound = cls(
            stream,
            stream_url,
        )

        return play_sound
