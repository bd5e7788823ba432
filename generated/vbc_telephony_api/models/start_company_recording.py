from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.start_company_recording_recording import StartCompanyRecordingRecording
from ..models.start_company_recording_service import StartCompanyRecordingService

T = TypeVar("T", bound="StartCompanyRecording")


@_attrs_define
class StartCompanyRecording:
    """Start company call recording (CCR)."""

    recording: StartCompanyRecordingRecording
    service: StartCompanyRecordingService

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
        recording = StartCompanyRecordingRecording.from_value(d.pop("recording"))

        service = StartCompanyRecordingService.from_value(d.pop("service"))

        start_company_recording = cls(
            recording,
            service,
        )

        return start_company_recording
