"""The office's daily routine around the board: the duty roster and the zero report."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("commander", "view")
