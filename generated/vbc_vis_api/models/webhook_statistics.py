from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookStatistics")


@_attrs_define
class WebhookStatistics:
    """Delivery counts: one attempt (and one failure) per delivery after all its retries.
    `lastSuccess`, `lastFailure`, `lastHttpErrorCode` and `lastErrorMessage` are in the
    vendor's tutorial, not its schema.

    """

    total_attempts: int
    total_successes: int
    total_failures: int
    failed: bool
    """ True once a delivery failed all its retries; cleared by renewing. """
    last_success: str | Unset = UNSET
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    last_failure: str | Unset = UNSET
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    last_http_error_code: str | Unset = UNSET
    last_error_message: str | Unset = UNSET
    """ The receiver's last error answer, its body cut short. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_attempts = self.total_attempts

        total_successes = self.total_successes

        total_failures = self.total_failures

        failed = self.failed

        last_success = self.last_success

        last_failure = self.last_failure

        last_http_error_code = self.last_http_error_code

        last_error_message = self.last_error_message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "totalAttempts": total_attempts,
                "totalSuccesses": total_successes,
                "totalFailures": total_failures,
                "failed": failed,
            }
        )
        if last_success is not UNSET:
            field_dict["lastSuccess"] = last_success
        if last_failure is not UNSET:
            field_dict["lastFailure"] = last_failure
        if last_http_error_code is not UNSET:
            field_dict["lastHttpErrorCode"] = last_http_error_code
        if last_error_message is not UNSET:
            field_dict["lastErrorMessage"] = last_error_message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        total_attempts = d.pop("totalAttempts")

        total_successes = d.pop("totalSuccesses")

        total_failures = d.pop("totalFailures")

        failed = d.pop("failed")

        last_success = d.pop("lastSuccess", UNSET)

        last_failure = d.pop("lastFailure", UNSET)

        last_http_error_code = d.pop("lastHttpErrorCode", UNSET)

        last_error_message = d.pop("lastErrorMessage", UNSET)

        webhook_statistics = cls(
            total_attempts,
            total_successes,
            total_failures,
            failed,
            last_success,
            last_failure,
            last_http_error_code,
            last_error_message,
        )

        webhook_statistics.additional_properties = d
        return webhook_statistics

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
