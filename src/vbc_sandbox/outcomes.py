"""What happens the next times a leg rings a number, an extension or a VH id: the entries of
`vbc_sandbox.script(target, *outcomes)`. Lives in `vbc_sandbox.phone.outcomes`."""

from vbc_sandbox.phone.outcomes import (
    NO_ANSWER_AFTER,
    answer_after,
    busy,
    device_offline,
    fail,
    far_end_hangup_after,
    no_answer,
    transfer_after,
    transfer_fails,
)

__all__ = [
    "NO_ANSWER_AFTER",
    "answer_after",
    "busy",
    "device_offline",
    "fail",
    "far_end_hangup_after",
    "no_answer",
    "transfer_after",
    "transfer_fails",
]
