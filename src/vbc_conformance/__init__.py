"""Conformance suite: fuzz any deployment of the VBC Telephony API against openapi.yaml, safely."""

from vbc_telephony._version import __version__

__all__ = ["__version__"]
