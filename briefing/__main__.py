"""`python -m briefing` runs the same entry point as the `briefing` command."""

import sys

from briefing.cli import main

if __name__ == "__main__":  # not when a child process imports this module again
    sys.exit(main())
