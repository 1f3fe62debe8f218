"""Exports (JSON, CSV, Markdown, PDF), redaction, and offline verification."""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("chart", "pdf_ready")
