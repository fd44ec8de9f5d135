"""Cross-cutting pieces: settings, database access, security."""
