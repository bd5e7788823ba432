"""A client library for accessing Vonage Integration Suite (VIS) v1, call-event webhooks"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
