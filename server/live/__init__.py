"""WebSockets: the hub that pushes fragments after each commit, the broker, the sockets
(uvicorn's /ws, and the lean console port behind the proxy)."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("broker", "hub")
