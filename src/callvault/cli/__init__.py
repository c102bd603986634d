"""The ``callvault`` command line."""
