"""The HTTP API under /api/v1: FastAPI routes that parse, call the ledger, render."""
