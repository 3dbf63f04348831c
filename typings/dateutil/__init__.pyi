# Minimal local stubs for python-dateutil (types-python-dateutil is not installed): only what the app uses.
