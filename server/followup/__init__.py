"""The follow-up board (善后督办) and its commands."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ()
