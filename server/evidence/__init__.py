"""Evidence files: reading an upload, what it is (from its content), keeping its bytes once by
hash in the command's own transaction, thumbnails, and serving the original to who may see it."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("upload", "store", "staging", "sniff")
