"""A pytest plugin loaded with `-p` before Django's settings are read: marks the run as a test run."""

import os
import tempfile

os.environ.setdefault("CADENCE_TESTING", "1")
os.environ.setdefault("CADENCE_HOME", tempfile.mkdtemp(prefix="cadence-test-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cadence.settings")
# Playwright's sync API runs an event loop in the test thread; the ORM calls it makes are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
