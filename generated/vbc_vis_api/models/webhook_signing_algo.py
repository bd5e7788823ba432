from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class WebhookSigningAlgo(StrEnum):
    HMAC_SHA256 = "HMAC_SHA256"
    NONE = "NONE"

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

    @staticmethod
    def from_value(value: Any) -> WebhookSigningAlgo:
        """What `WebhookSigningAlgo(value)` gives, in one dict lookup for a listed value:
        models parse with this, as calling an enum class costs several Python frames."""
        try:
            return _MEMBERS[value]
        except (KeyError, TypeError):
            return WebhookSigningAlgo(value)


_MEMBERS: dict[Any, WebhookSigningAlgo] = {
    member.value: member for member in WebhookSigningAlgo
}
