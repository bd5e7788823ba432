"""Contains all the data models used in inputs/outputs"""

from .call_direction import CallDirection
from .delivery import Delivery
from .delivery_metadata import DeliveryMetadata
from .error_detail import ErrorDetail
from .error_response import ErrorResponse
from .event import Event
from .event_kind import EventKind
from .event_type import EventType
from .events_count import EventsCount
from .gateway_fault import GatewayFault
from .gateway_fault_fault import GatewayFaultFault
from .list_events_order import ListEventsOrder
from .list_events_types import ListEventsTypes
from .metadata_policy import MetadataPolicy
from .vis_call_state import VisCallState
from .webhook import Webhook
from .webhook_create import WebhookCreate
from .webhook_create_signing_algo import WebhookCreateSigningAlgo
from .webhook_signing_algo import WebhookSigningAlgo
from .webhook_statistics import WebhookStatistics
from .webhook_status import WebhookStatus

__all__ = (
    "CallDirection",
    "Delivery",
    "DeliveryMetadata",
    "ErrorDetail",
    "ErrorResponse",
    "Event",
    "EventKind",
    "EventType",
    "EventsCount",
    "GatewayFault",
    "GatewayFaultFault",
    "ListEventsOrder",
    "ListEventsTypes",
    "MetadataPolicy",
    "VisCallState",
    "Webhook",
    "WebhookCreate",
    "WebhookCreateSigningAlgo",
    "WebhookSigningAlgo",
    "WebhookStatistics",
    "WebhookStatus",
)
