"""The pytest plugin's entry point (pyproject's pytest11): pytest loads the plugin itself,
with its fixtures and hooks, from `vbc_sandbox.testkit.plugin`."""

from vbc_sandbox.testkit.plugin import ControlError, QueuedDelivery, RunningSandbox

pytest_plugins = ["vbc_sandbox.testkit.plugin"]

__all__ = ["ControlError", "QueuedDelivery", "RunningSandbox"]
