from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.event_kind import EventKind
from ..models.metadata_policy import MetadataPolicy
from ..models.webhook_create_signing_algo import WebhookCreateSigningAlgo
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookCreate")


@_attrs_define
class WebhookCreate:
    """A subscription, as the vendor documents it. The vendor marks no field required;
    that `url` and `events` must be given is this project's assumption (without them
    nothing could be delivered).

    """

    url: str
    """ Where deliveries are POSTed (the lengths are this project's assumption). """
    events: list[EventKind]
    signing_algo: WebhookCreateSigningAlgo | Unset = UNSET
    signing_key: str | Unset = UNSET
    """ The secret deliveries are signed with, chosen by the subscriber (the length limit is this project's
    assumption). """
    metadata_policy: MetadataPolicy | Unset = UNSET
    """ Where a delivery's metadata (and signature) travels, if anywhere. """

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.value
            events.append(events_item)

        signing_algo: str | Unset = UNSET
        if not isinstance(self.signing_algo, Unset):
            signing_algo = self.signing_algo.value

        signing_key = self.signing_key

        metadata_policy: str | Unset = UNSET
        if not isinstance(self.metadata_policy, Unset):
            metadata_policy = self.metadata_policy.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "events": events,
            }
        )
        if signing_algo is not UNSET:
            field_dict["signingAlgo"] = signing_algo
        if signing_key is not UNSET:
            field_dict["signingKey"] = signing_key
        if metadata_policy is not UNSET:
            field_dict["metadataPolicy"] = metadata_policy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        url = d.pop("url")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = EventKind.from_value(events_item_data)

            events.append(events_item)

        _signing_algo = d.pop("signingAlgo", UNSET)
        signing_algo: WebhookCreateSigningAlgo | Unset
        if isinstance(_signing_algo, Unset):
            signing_algo = UNSET
        else:
            signing_algo = WebhookCreateSigningAlgo.from_value(_signing_algo)

        signing_key = d.pop("signingKey", UNSET)

        _metadata_policy = d.pop("metadataPolicy", UNSET)
        metadata_policy: MetadataPolicy | Unset
        if isinstance(_metadata_policy, Unset):
            metadata_policy = UNSET
        else:
            metadata_policy = MetadataPolicy.from_value(_metadata_policy)

        webhook_create = cls(
            url,
            events,
            signing_algo,
            signing_key,
            metadata_policy,
        )

        return webhook_create
