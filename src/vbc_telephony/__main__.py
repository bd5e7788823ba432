"""`python -m vbc_telephony`: the `vbc` command."""

import sys

from vbc_telephony.cli import main

sys.exit(main())
