"""What happens the next times a leg rings a number, an extension or a VH id: the entries of
`vbc_sandbox.script(target, *outcomes)`. Lives in `vbc_sandbox.phone.outcomes`."""

from vbc_sandbox.phone.outcomes import *  # noqa: F403 (its __all__: the builders)
from vbc_sandbox.phone.outcomes import __all__ as __all__
