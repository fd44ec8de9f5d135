"""Time-ordered identifiers (UUID version 7, RFC 9562) for rows inserted in bulk.

Random (version 4) keys scatter B-tree inserts over the whole primary-key index; a
version-7 key starts with the Unix time in milliseconds, so a bulk load appends to the
right edge of the index. Python 3.11 has no ``uuid.uuid7``; the database side is the
``migration.uuid_v7()`` function of migration 0018, which builds the same layout.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_sequence = 0


def uuid7() -> uuid.UUID:
    """A new version-7 UUID; ids made by this process are strictly increasing.

    Layout: 48 bits of Unix milliseconds, the version (7), 12 bits of a counter that
    restarts at a random value each millisecond (RFC 9562 method 1, so ids made within
    one millisecond still sort in order), the variant, and 62 random bits.
    """
    global _last_ms, _sequence
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _sequence = int.from_bytes(os.urandom(2)) & 0x07FF  # room left to count up
        else:
            _sequence += 1
            if _sequence > 0x0FFF:  # counter spent: borrow the next millisecond
                _last_ms += 1
                _sequence = 0
        ms, sequence = _last_ms, _sequence
    tail = int.from_bytes(os.urandom(8)) & 0x3FFF_FFFF_FFFF_FFFF
    value = (ms << 80) | (0x7 << 76) | (sequence << 64) | (0b10 << 62) | tail
    return uuid.UUID(int=value)


def uuid7_block(count: int) -> list[str]:
    """``count`` new version-7 UUIDs as text, strictly increasing and after every id this
    process made before (the same layout as :func:`uuid7`, its counter run on ``count``
    times at once, borrowing milliseconds ahead when one millisecond's 4,096 are spent)."""
    global _last_ms, _sequence
    if count <= 0:
        return []
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _sequence = (int.from_bytes(os.urandom(2)) & 0x07FF) - 1
        start = (_last_ms << 12) + _sequence + 1  # milliseconds and counter as one number
        end = start + count - 1
        _last_ms, _sequence = end >> 12, end & 0x0FFF
    tails = os.urandom(8 * count)
    made = []
    for offset in range(count):
        stamp = start + offset
        tail = int.from_bytes(tails[8 * offset : 8 * offset + 8]) & 0x3FFF_FFFF_FFFF_FFFF
        value = (stamp >> 12) << 80 | 0x7 << 76 | (stamp & 0x0FFF) << 64 | 0b10 << 62 | tail
        text = f"{value:032x}"
        made.append(f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}")
    return made


def uuid7_timestamp_ms(value: uuid.UUID) -> int:
    """The Unix time in milliseconds held by a version-7 UUID."""
    return value.int >> 80
