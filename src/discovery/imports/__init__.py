"""File imports: readers, ``data_imports`` and their ``raw_import_records``."""
