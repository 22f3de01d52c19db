"""`python -m frigate_privacy` runs the command line."""

import sys

from frigate_privacy.cli import main

sys.exit(main())
