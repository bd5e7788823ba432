"""The sandbox as it is served (by `vbc-sandbox`, and in process by the pytest plugin): the
web app with the test kit in front of its API (injected faults, the request journal) and
the control API's operations on them and on the VIS delivery outcomes."""

from __future__ import annotations

from vbc_sandbox.phone.delivery_outcomes import DeliveryOutcomes
from vbc_sandbox.phone.state import Sandbox
from vbc_sandbox.settings import Settings
from vbc_sandbox.testkit.control import Control
from vbc_sandbox.testkit.journal import Faults, Journal, TestKitLayer
from vbc_sandbox.web.app import WebApp


class SandboxApp(WebApp):
    """ASGI entry point: the phone system, the web layer and the test kit, built once per
    worker process from its settings."""

    def __init__(self, settings: Settings) -> None:
        sandbox = Sandbox.build(settings)
        self.faults = Faults(sandbox.store)
        self.journal = Journal(sandbox.store, sandbox.clock)
        recording = self.journal if settings.journal else None
        super().__init__(
            sandbox,
            in_front_of_api=lambda api: TestKitLayer(api, self.faults, recording),
            control_handlers=Control(
                self.faults, self.journal, DeliveryOutcomes(sandbox.store)
            ).handlers(),
        )


def create_app(settings: Settings | None = None) -> SandboxApp:
    """The sandbox as an ASGI app, to serve with any ASGI server or call in process."""
    return SandboxApp(settings or Settings())
