"""`python -m tapeflow ...` is the `tapeflow` command (see tapeflow.cli)."""

import sys

from tapeflow import cli

if __name__ == "__main__":
    sys.exit(cli.main())
