"""The SDK's logger, `vbc_telephony`: each request (method, URL, status, time) at DEBUG,
retries and token renewals at INFO. Never a token, password or secret: they travel in
headers and forms, which are not logged. `VBC_LOG=debug` (or `info`) turns it on without
touching logging configuration, as `OPENAI_LOG` does for openai-python.
"""

from __future__ import annotations

import logging
import os

logger = logging.getLogger("vbc_telephony")


def setup_from_env() -> None:
    level = os.environ.get("VBC_LOG", "").strip().upper()
    if level not in ("DEBUG", "INFO") or logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
