"""Situation reports (首报, 续报, 终报): what is due on the incident page; the deadline check."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("view",)
