from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.stop_on_demand_recording_recording import StopOnDemandRecordingRecording
from ..models.stop_on_demand_recording_service import StopOnDemandRecordingService

T = TypeVar("T", bound="StopOnDemandRecording")


@_attrs_define
class StopOnDemandRecording:
    """Stop on-demand call recording (OCR)."""

    recording: StopOnDemandRecordingRecording
    service: StopOnDemandRecordingService

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
        recording = StopOnDemandRecordingRecording.from_value(d.pop("recording"))

        service = StopOnDemandRecordingService.from_value(d.pop("service"))

        stop_on_demand_recording = cls(
            recording,
            service,
        )

        return stop_on_demand_recording
