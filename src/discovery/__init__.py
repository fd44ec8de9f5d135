"""Discovery flow service: inventory exports in, a clean and wired asset inventory out."""

__version__ = "0.1.0"
