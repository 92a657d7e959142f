"""`python -m ui`: start the web chat (see `ui.app.main`)."""

import sys

from .app import main

sys.exit(main())
