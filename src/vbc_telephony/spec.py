"""The OpenAPI documents the SDK is built from (they live in `vbc_spec`)."""

from vbc_spec import OAUTH_SPEC, TELEPHONY_SPEC, load, named, resolve

__all__ = ["OAUTH_SPEC", "TELEPHONY_SPEC", "load", "named", "resolve"]
