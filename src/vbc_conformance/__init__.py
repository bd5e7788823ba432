"""Conformance suite: fuzz any deployment of the VBC Telephony API against openapi.yaml, safely."""
