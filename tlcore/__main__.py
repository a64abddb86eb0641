"""``python -m tlcore``: the same as the ``tlcore`` command."""
import sys

from tlcore.cli import main

sys.exit(main())
