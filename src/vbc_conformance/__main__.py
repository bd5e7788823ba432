"""`python -m vbc_conformance`: the `vbc-conformance` command."""

import sys

from vbc_conformance.cli import main

sys.exit(main())
