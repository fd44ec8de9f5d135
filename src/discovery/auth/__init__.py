"""Authentication: access tokens from a login, and personal API tokens for scripts."""
