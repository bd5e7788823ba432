from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_kind import EventKind
from ..models.metadata_policy import MetadataPolicy
from ..models.webhook_signing_algo import WebhookSigningAlgo
from ..models.webhook_status import WebhookStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Webhook")


@_attrs_define
class Webhook:
    """A subscription. Required: what both known forms carry (the vendor's schema with its
    examples, and the entry its tutorial lists). `signingKey` is the secret, echoed back
    (clients must keep it out of logs); `renewedAt` and `renewedBy` appear once renewed.

    """

    id: int | str
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    user_id: int | str
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    account_id: int | str
    """ An id. The vendor's schema types event, user and account ids as int64 (webhook ids
    as strings); every vendor example sends strings, some of which are no number at all
    (`"5a85d86f253bcd10897f3189"`, `"-1"`). Both are accepted; a conforming server
    sends strings.
     """
    url: str
    status: WebhookStatus
    events: list[EventKind]
    signing_algo: WebhookSigningAlgo
    metadata_policy: MetadataPolicy
    """ Where a delivery's metadata (and signature) travels, if anywhere. """
    expire_at: str
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    created_at: str
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    purge_at: str
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    statistics: WebhookStatistics
    """ Delivery counts: one attempt (and one failure) per delivery after all its retries.
    `lastSuccess`, `lastFailure`, `lastHttpErrorCode` and `lastErrorMessage` are in the
    vendor's tutorial, not its schema.
     """
    signing_key: str | Unset = UNSET
    """ The signing secret, echoed back. """
    renewed_at: str | Unset = UNSET
    """ An ISO 8601 time with an offset: events use milliseconds and `+0000` without a colon
    (`2018-02-15T18:58:56.194+0000`), webhooks milliseconds and `Z`. The pattern is this
    project's assumption.
     """
    renewed_by: str | Unset = UNSET
    """ Who renewed it (in the vendor's prose, not its schema). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id: int | str
        id = self.id

        user_id: int | str
        user_id = self.user_id

        account_id: int | str
        account_id = self.account_id

        url = self.url

        status = self.status.value

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)

        signing_algo = self.signing_algo.value

        metadata_policy = self.metadata_policy.value

        expire_at = self.expire_at

        created_at = self.created_at

        purge_at = self.purge_at

        statistics = self.statistics.to_dict()

        signing_key = self.signing_key

        renewed_at = self.renewed_at

        renewed_by = self.renewed_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "userId": user_id,
                "accountId": account_id,
                "url": url,
                "status": status,
                "events": events,
                "signingAlgo": signing_algo,
                "metadataPolicy": metadata_policy,
                "expireAt": expire_at,
                "createdAt": created_at,
                "purgeAt": purge_at,
                "statistics": statistics,
            }
        )
        if signing_key is not UNSET:
            field_dict["signingKey"] = signing_key
        if renewed_at is not UNSET:
            field_dict["renewedAt"] = renewed_at
        if renewed_by is not UNSET:
            field_dict["renewedBy"] = renewed_by

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        user_id = d.pop("userId")

        account_id = d.pop("accountId")

        url = d.pop("url")

        status = WebhookStatus.from_value(d.pop("status"))

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = EventKind.from_value(events_item_data)

            events.append(events_item)

        signing_algo = WebhookSigningAlgo.from_value(d.pop("signingAlgo"))

        metadata_policy = MetadataPolicy.from_value(d.pop("metadataPolicy"))

        expire_at = d.pop("expireAt")

        created_at = d.pop("createdAt")

        purge_at = d.pop("purgeAt")

        statistics = WebhookStatistics.from_dict(d.pop("statistics"))

        signing_key = d.pop("signingKey", UNSET)

        renewed_at = d.pop("renewedAt", UNSET)

        renewed_by = d.pop("renewedBy", UNSET)

        webhook = cls(
            id,
            user_id,
            account_id,
            url,
            status,
            events,
            signing_algo,
            metadata_policy,
            expire_at,
            created_at,
            purge_at,
            statistics,
            signing_key,
            renewed_at,
            renewed_by,
        )

        webhook.additional_properties = d
        return webhook

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


from ..models.webhook_statistics import WebhookStatistics
