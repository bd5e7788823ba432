"""Hand-written SDK for the VBC Telephony API, on top of the generated ``vbc_telephony_api``."""

from vbc_telephony._client import PRODUCTION_BASE_URL, Telephony

__all__ = ["PRODUCTION_BASE_URL", "Telephony"]
