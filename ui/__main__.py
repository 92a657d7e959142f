"""`python -m ui`: start the web chat (see `ui.cli.main`)."""

import sys

from .cli import main

sys.exit(main())
