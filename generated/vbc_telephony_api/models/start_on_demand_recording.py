from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.start_on_demand_recording_recording import StartOnDemandRecordingRecording
from ..models.start_on_demand_recording_service import StartOnDemandRecordingService

T = TypeVar("T", bound="StartOnDemandRecording")


@_attrs_define
class StartOnDemandRecording:
    """Start on-demand call recording (OCR)."""

    recording: StartOnDemandRecordingRecording
    service: StartOnDemandRecordingService

    def to_dict(self) -> dict[str, Any]:
        recording = self.recording.value

        service = self.service.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "recording": recording,
                "service": service,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        recording = StartOnDemandRecordingRecording.from_value(d.pop("recording"))

        service = StartOnDemandRecordingService.from_value(d.pop("service"))

        start_on_demand_recording = cls(
            recording,
            service,
        )

        return start_on_demand_recording
