"""The benchmark suite: ``python -m bench all --rows 100000``.

B1: end-to-end import through ``discovery serve`` against the COPY floor, and our
inventory phase against the seed plan's persistence pattern on the same cleansed rows.
B2: wiring-health latency at 1M assets / 1M raw rows (v3.1 NOT IN, v3.3 EXISTS, ours).
B3: ``GET /assets`` latency at 1M assets (offset and keyset pages, with and without q).
"""
