"""The incident's pages and commands over HTTP, its rendering and its timeline's sentences."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("commands", "input", "render", "timeline")
