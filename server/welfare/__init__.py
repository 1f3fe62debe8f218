"""Welfare checks on the visitor: the panel's view, its commands, the missed-check worker."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("view", "timeline")
