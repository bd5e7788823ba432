from enum import StrEnum
from typing import Self


class StopCompanyRecordingRecording(StrEnum):
    STOP = "stop"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        """Keep a value the spec does not list (a new call state, say) instead of raising."""
        if not isinstance(value, str):
            return None
        unknown = str.__new__(cls, value)
        unknown._name_ = "UNKNOWN"
        unknown._value_ = value
        return unknown
