"""A client library for accessing Vonage Business Communications Telephony API v3"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
