"""Shared test configuration.

``tests.servers`` is loaded first: it sets the environment (no metadata probes,
no online Toil tests, gcsfs's HNS probe off) before anything imports a cloud SDK;
``tests.logging_state`` undoes what a test (or Toil run in-process) did to logging.
Toil's job-store test module needs ``http.server`` imported before it loads
(9.6.0 uses it without importing it) and Toil's own conftest for its fixtures.
Toil's suite on a location the user names (``tests/toil_suite/test_external.py``)
is collected only when ``FSJOBSTORE_TEST_URL`` names one.
"""

from __future__ import annotations

import http.server  # noqa: F401  (see module docstring)
import os

pytest_plugins = ["tests.servers", "tests.logging_state", "toil.test.conftest"]

collect_ignore = [] if os.environ.get("FSJOBSTORE_TEST_URL") else ["toil_suite/test_external.py"]
