"""`python -m vbc_sandbox`: the `vbc-sandbox` command."""

import sys

from vbc_sandbox.cli import main

sys.exit(main())
