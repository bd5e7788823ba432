"""Hand-written SDK for the VBC Telephony API, on top of the generated ``vbc_telephony_api``."""

from vbc_spec import PRODUCTION_BASE_URL

# VIS webhook deliveries: vbc_telephony.webhooks.verify(), .sign(), .Delivery.
from vbc_telephony import webhooks as webhooks
from vbc_telephony._async.client import AsyncTelephony
from vbc_telephony._async.pager import AsyncPager
from vbc_telephony._async.watch import AsyncCallWatcher
from vbc_telephony._auth import (
    GATEWAY_TOKEN_URL,
    TOKEN_URL,
    BearerAuth,
    PasswordGrant,
    StaticToken,
    TokenProvider,
)
from vbc_telephony._errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidDeliveryError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SignatureError,
)
from vbc_telephony._logs import setup_from_env
from vbc_telephony._placement import CallNotConfirmedError
from vbc_telephony._retry import NO_RETRIES, RetryPolicy
from vbc_telephony._sync.client import Telephony
from vbc_telephony._sync.pager import Pager
from vbc_telephony._sync.watch import CallWatcher
from vbc_telephony._version import __version__
from vbc_telephony._views import Call, Leg
from vbc_telephony._vis_views import Webhook, WebhookStatistics
from vbc_telephony._watching import CallEvent, Change

setup_from_env()

__all__ = [
    "GATEWAY_TOKEN_URL",
    "NO_RETRIES",
    "PRODUCTION_BASE_URL",
    "TOKEN_URL",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCallWatcher",
    "AsyncPager",
    "AsyncTelephony",
    "AuthenticationError",
    "BadRequestError",
    "BearerAuth",
    "Call",
    "CallEvent",
    "CallNotConfirmedError",
    "CallWatcher",
    "Change",
    "ConflictError",
    "InvalidDeliveryError",
    "Leg",
    "NotFoundError",
    "Pager",
    "PasswordGrant",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerError",
    "SignatureError",
    "StaticToken",
    "Telephony",
    "TokenProvider",
    "Webhook",
    "WebhookStatistics",
    "__version__",
]
