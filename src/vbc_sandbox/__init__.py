"""A stateful, spec-driven sandbox of the VBC Telephony API that behaves like a phone system.

The server's parts (connexion, uvicorn) come with the `sandbox` extra and load only when
used: pytest loads this package's plugin in every environment vbc-telephony is installed
in, with or without that extra.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from vbc_telephony._version import __version__

# connexion imports starlette's test client at import time, which warns about httpx.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

#: Public name -> the module it lives in, imported on first use.
LAZY = {
    "API_BASE_PATH": "vbc_spec",
    "RateLimit": "vbc_sandbox.settings",
    "SandboxApp": "vbc_sandbox.testkit.sandbox_app",
    "Settings": "vbc_sandbox.settings",
    "StaticToken": "vbc_sandbox.settings",
    "create_app": "vbc_sandbox.testkit.sandbox_app",
}

__all__ = [*LAZY, "__version__"]


def __getattr__(name: str) -> Any:
    if name not in LAZY:
        raise AttributeError(f"module 'vbc_sandbox' has no attribute {name!r}")
    return getattr(importlib.import_module(LAZY[name]), name)
