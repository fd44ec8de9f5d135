"""The web UI: server-rendered pages (Jinja2) over the same services as the HTTP API.

Mounted at ``/`` by :func:`discovery.api.app.create_app`; see ``docs/web-ui.md``.
"""
