"""Typed views of what VIS answers (`vis.yaml`): a webhook and a call event, with ids as
strings whichever JSON type arrived, times as aware datetimes, a call's duration as a
timedelta (VIS sends milliseconds), and states kept as they came (a new one is not an error).

A webhook's `signing_key` is a secret that VIS echoes back: it is on the view, never in its
repr.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import attrs

from vbc_telephony._errors import APIResponseValidationError, InvalidDeliveryError
from vbc_telephony._views import as_text, iso_datetime
from vbc_telephony.webhooks import VisCallEvent, call_event
from vbc_vis_api.models import Event as EventModel
from vbc_vis_api.models import Webhook as WebhookModel
from vbc_vis_api.models import WebhookStatistics as WebhookStatisticsModel
from vbc_vis_api.types import Unset


def text(value: Any) -> str | None:
    """A string, an enum's value or an id sent as a number, as a string; None when unset."""
    return (
        None
        if value is None or isinstance(value, Unset)
        else as_text(getattr(value, "value", value))
    )


def without_userinfo(url: str) -> str:
    """`url` with its user:password, if any, replaced."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def moment(value: Any) -> datetime | None:
    """An ISO 8601 time (`+0000` and `Z` offsets alike) as an aware UTC datetime."""
    return iso_datetime(value) if isinstance(value, str) else None


@attrs.frozen
class WebhookStatistics:
    """A webhook's delivery counts: one attempt (and one failure) per delivery, after all its
    retries. `failed` is set once a delivery failed every retry, and cleared by renewing."""

    total_attempts: int
    total_successes: int
    total_failures: int
    failed: bool
    last_success: datetime | None = None
    last_failure: datetime | None = None
    last_http_error_code: str | None = None
    last_error_message: str | None = None

    @classmethod
    def of(cls, model: WebhookStatisticsModel) -> WebhookStatistics:
        return cls(
            total_attempts=model.total_attempts,
            total_successes=model.total_successes,
            total_failures=model.total_failures,
            failed=model.failed,
            last_success=moment(model.last_success),
            last_failure=moment(model.last_failure),
            last_http_error_code=text(model.last_http_error_code),
            last_error_message=text(model.last_error_message),
        )


@attrs.frozen
class Webhook:
    """A subscription to the user's call events (`client.webhooks`): deliveries go to `url`
    until `expire_at` unless renewed, and stop while `failed`."""

    id: str
    url: str = attrs.field(repr=lambda url: repr(without_userinfo(url)))
    """Where deliveries go (in a repr, without any user:password it may carry)."""
    status: str
    events: tuple[str, ...]
    signing_algo: str
    metadata_policy: str
    user_id: str
    account_id: str
    expire_at: datetime | None
    created_at: datetime | None
    purge_at: datetime | None
    statistics: WebhookStatistics
    renewed_at: datetime | None = None
    renewed_by: str | None = None
    signing_key: str | None = attrs.field(default=None, repr=False)
    """The signing secret as VIS echoes it back (never in a repr)."""

    @property
    def failed(self) -> bool:
        """Whether deliveries have stopped until the webhook is renewed."""
        return self.statistics.failed

    @classmethod
    def of(cls, model: WebhookModel) -> Webhook:
        return cls(
            id=str(text(model.id)),
            url=model.url,
            status=str(text(model.status)),
            events=tuple(str(text(kind)) for kind in model.events),
            signing_algo=str(text(model.signing_algo)),
            metadata_policy=str(text(model.metadata_policy)),
            user_id=str(text(model.user_id)),
            account_id=str(text(model.account_id)),
            expire_at=moment(model.expire_at),
            created_at=moment(model.created_at),
            purge_at=moment(model.purge_at),
            statistics=WebhookStatistics.of(model.statistics),
            renewed_at=moment(model.renewed_at),
            renewed_by=text(model.renewed_by),
            signing_key=text(model.signing_key),
        )


def vis_event(model: EventModel) -> VisCallEvent:
    """An event VIS keeps, read as a delivered one is (`webhooks.VisCallEvent`): one
    reading of VIS's events, whichever way they arrive."""
    data = model.to_dict()
    try:
        return call_event(data, data)
    except InvalidDeliveryError as error:
        raise APIResponseValidationError(str(error)) from None
