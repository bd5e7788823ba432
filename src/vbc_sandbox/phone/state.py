"""The sandbox's state: the phone system and the store behind it, built once per worker
process. The web layer hands it to each request (in its scope); the web layer's own state
(the console's feeds) and the test kit's (faults, the journal) live with them."""

from __future__ import annotations

import hmac

import attrs

from vbc_sandbox.errors import NotFound, Unauthorized
from vbc_sandbox.phone.clock import Clock
from vbc_sandbox.phone.devices import Registrations
from vbc_sandbox.phone.pbx import Pbx
from vbc_sandbox.phone.tokens import Authority
from vbc_sandbox.settings import Settings
from vbc_sandbox.storage.store import Store


@attrs.define
class Sandbox:
    """Everything a request may touch, built once per worker process."""

    settings: Settings
    store: Store
    clock: Clock
    authority: Authority
    pbx: Pbx
    registrations: Registrations

    @classmethod
    def build(cls, settings: Settings) -> Sandbox:
        store = Store(settings.db)
        store.load_seed(settings.seed_file)
        clock = Clock(store)
        return cls(
            settings,
            store,
            clock,
            Authority(store, settings, clock),
            Pbx(store, settings, clock),
            Registrations(store),
        )

    def check_control_token(self, token: str) -> None:
        expected = self.settings.control_token
        if expected is None:
            raise NotFound("The control API is off: start vbc-sandbox with --admin-token")
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise Unauthorized("Invalid Credentials: the control API needs its admin token")
