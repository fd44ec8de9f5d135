"""The HTTP API: the app factory, error handling, request context and auth dependencies.

Routers live in their domains (``<domain>/router.py``); :func:`discovery.api.app.create_app`
assembles them under ``/api/v1``.
"""
