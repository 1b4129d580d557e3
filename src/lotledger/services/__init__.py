"""Use cases: record, import, trace. Interfaces call these and render."""
