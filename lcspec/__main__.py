"""`python -m lcspec`: the same as the `lcspec` command (lcspec/cli.py)."""

import sys

from lcspec.cli import main

sys.exit(main())
