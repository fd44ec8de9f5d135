"""A worker's heartbeat, sent from a thread of its own.

procrastinate (3.10) sends heartbeats from a task on the worker's event loop, so any
phase that holds the loop (a long synchronous step) silences them, and other workers
then take a busy worker for a dead one. This thread sends the same heartbeat on its own
connection whatever the loop is doing; it stops only with the process (or when the
worker ends), which is exactly when a worker should be presumed dead. procrastinate's
own heartbeat keeps running beside it; a second update of the same row is harmless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

logger = logging.getLogger(__name__)

_BEAT = "SELECT procrastinate.procrastinate_update_heartbeat_v1(%s)"


class HeartbeatThread:
    """Beat every ``interval`` seconds for the worker ``worker_id()`` names (once it has one)."""

    def __init__(self, conninfo: str, interval: float, worker_id: Callable[[], int | None]):
        self._conninfo = conninfo
        self._interval = interval
        self._worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval + 10)

    def _run(self) -> None:
        connection: psycopg.Connection[tuple[object, ...]] | None = None
        try:
            while not self._stop.wait(self._interval):
                worker_id = self._worker_id()
                if worker_id is None:
                    continue
                try:
                    if connection is None or connection.closed:
                        connection = psycopg.connect(
                            self._conninfo, autocommit=True, connect_timeout=10
                        )
                    connection.execute(_BEAT, (worker_id,))
                except psycopg.Error as exc:
                    logger.warning("worker heartbeat failed (%s); trying again", exc)
                    if connection is not None:
                        connection.close()
                    connection = None
        finally:
            if connection is not None:
                connection.close()
