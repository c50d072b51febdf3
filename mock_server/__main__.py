"""``python -m mock_server``: serve the mock (see ``--help``)."""

import sys

from mock_server.cli import main

sys.exit(main())
