from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.stop_company_recording_recording import StopCompanyRecordingRecording
from ..models.stop_company_recording_service import StopCompanyRecordingService

T = TypeVar("T", bound="StopCompanyRecording")


@_attrs_define
class StopCompanyRecording:
    """Stop company call recording (CCR)."""

    recording: StopCompanyRecordingRecording
    service: StopCompanyRecordingService

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
        recording = StopCompanyRecordingRecording.from_value(d.pop("recording"))

        service = StopCompanyRecordingService.from_value(d.pop("service"))

        stop_company_recording = cls(
            recording,
            service,
        )

        return stop_company_recording
