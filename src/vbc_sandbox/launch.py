"""Start `vbc-sandbox` in a child process on a free loopback port, and stop it again. Lives in
`vbc_sandbox.testkit.launch`."""

from vbc_sandbox.testkit.launch import (
    LOOPBACK,
    OutputTail,
    SandboxProcess,
    free_port,
    running_sandbox,
)

__all__ = ["LOOPBACK", "OutputTail", "SandboxProcess", "free_port", "running_sandbox"]
