"""The tests, one folder per package they test; shared helpers in ``tests.helpers``."""
