"""The JSON API for systems and consoles: its bodies and replies (msgspec Structs), the
operation record each route is made from, and the OpenAPI 3.1 document made from them.

bodies.py     request bodies and replies; the decoder and the schema both
operation.py  Operation, Auth, the decoding of a body and the command endpoint
document.py   the OpenAPI document of a table of operations

The table itself is composed at server/'s top level (server/api_table.py): it names the
routes of several features.
"""

# The modules other features may import (tests/test_feature_boundary.py).
PUBLIC = ("bodies", "operation")
