"""A stateful, spec-driven sandbox of the VBC Telephony API that behaves like a phone system."""

import warnings

# connexion imports starlette's test client at import time, which warns about httpx.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from vbc_sandbox.app import API_BASE_PATH, SandboxApp, create_app  # noqa: E402
from vbc_sandbox.settings import RateLimit, Settings, StaticToken  # noqa: E402
from vbc_telephony._version import __version__  # noqa: E402

__all__ = [
    "API_BASE_PATH",
    "RateLimit",
    "SandboxApp",
    "Settings",
    "StaticToken",
    "__version__",
    "create_app",
]
