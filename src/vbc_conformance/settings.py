"""What one conformance run is set to do, typed: built once by the command, handed to the
schemathesis process in its environment, and read once by the hooks there."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from vbc_conformance.safety import Party

#: The variable the hooks read the run's settings from (JSON).
SETTINGS_VARIABLE = "VBC_CONFORMANCE_SETTINGS"
#: The variables schemathesis.toml substitutes itself: kept so that `st run` works with them
#: set by hand.
CONFIG_VARIABLES = {
    "base_url": "VBC_CONFORMANCE_BASE_URL",
    "account_id": "VBC_CONFORMANCE_ACCOUNT_ID",
    "token": "VBC_CONFORMANCE_TOKEN",
}


@attrs.frozen
class RunSettings:
    base_url: str
    account_id: str
    token: str = attrs.field(repr=False)
    other_token: str = attrs.field(default="", repr=False)
    """Another account's token, for the cross-account check (empty: no such check)."""
    live: bool = True
    """Not the embedded sandbox: the safety guard rewrites or refuses what is unsafe."""
    writes: bool = False
    dial_allow: tuple[Party, ...] = ()
    events_dir: Path | None = None
    """Where the hooks append the events the report reads (None: nowhere)."""
    extra_reads: bool = True
    """Whether checks may read more than schemathesis sends (the call of a leg list, the
    next pages of a list): off under a rate limit, which those reads would not respect."""

    @property
    def read_only(self) -> bool:
        return self.live and not self.writes

    def environment(self) -> dict[str, str]:
        """The variables the schemathesis process gets."""
        data = attrs.asdict(self, recurse=True)
        data["events_dir"] = str(self.events_dir) if self.events_dir else None
        return {
            SETTINGS_VARIABLE: json.dumps(data),
            **{variable: getattr(self, name) for name, variable in CONFIG_VARIABLES.items()},
        }

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> RunSettings:
        """The run's settings; without them, the safest: a live target, read-only."""
        text = environ.get(SETTINGS_VARIABLE)
        if not text:
            return cls(
                environ.get(CONFIG_VARIABLES["base_url"], ""),
                environ.get(CONFIG_VARIABLES["account_id"], ""),
                environ.get(CONFIG_VARIABLES["token"], ""),
            )
        data: dict[str, Any] = json.loads(text)
        data["dial_allow"] = tuple(Party(**party) for party in data["dial_allow"])
        data["events_dir"] = Path(data["events_dir"]) if data["events_dir"] else None
        return cls(**data)
