"""Reading a stored upload off the event loop, as ready-to-send ``COPY`` blocks.

The event loop of ``discovery serve`` also answers HTTP and runs the worker, so nothing
that takes time in proportion to a file may run on it. ``CopyBlocks`` runs the whole read
in a worker thread: opening the file, parsing it (CSV, XLSX or JSON) and encoding each block
of rows in COPY's text format. Most CSV files take the columnar path (``columnar_csv``):
Polars parses and encodes them in batches; every other file is read row by row. The thread
hands the blocks over through a small bounded queue (``QUEUE_BLOCKS``), so at most a few
blocks are in memory and a slow database slows the reader down instead of filling memory;
the loop only awaits the next block and writes it. A read that fails, at any point, fails
in the consumer with the reader's own error.

Leaving the context early (a database error, a cancelled job) stops the thread at its next
block and waits for it, so the file is closed when the context exits.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from discovery.core import copy_format
from discovery.imports import columnar_csv
from discovery.imports.readers import ReadLimits, open_table
from discovery.imports.readers.dispatch import checked_format
from discovery.imports.readers.table import FileFormat, ReadBudget, ReadWarning

BLOCK_ROWS = 2000
BLOCK_BYTES = 4 * 1024 * 1024
"""A block is sent at this many rows or bytes, whichever comes first."""
QUEUE_BLOCKS = 4


@dataclass
class TableFacts:
    """What the read learnt about the file, complete once every block has been consumed."""

    file_format: FileFormat
    sheet_name: str | None
    headers: list[str]
    detected: dict[str, str]
    blank_rows_skipped: int
    warnings: list[ReadWarning] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    data: bytes
    rows: int


class _End:
    pass


_END = _End()


class CopyBlocks:
    """``async with CopyBlocks(...) as blocks: async for block in blocks: ...``; then
    ``blocks.facts``. ``prefix`` is the COPY text of the columns every row shares."""

    def __init__(
        self,
        path: Path,
        *,
        file_name: str | None,
        sheet: str | None,
        limits: ReadLimits,
        prefix: str,
    ) -> None:
        self._path = path
        self._file_name = file_name
        self._sheet = sheet
        self._limits = limits
        self._prefix = prefix
        self._queue: asyncio.Queue[Block | BaseException | _End] = asyncio.Queue(QUEUE_BLOCKS)
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: asyncio.Future[None] | None = None
        self._facts: TableFacts | None = None

    @property
    def facts(self) -> TableFacts:
        if self._facts is None:
            raise RuntimeError("the file has not been read to its end")
        return self._facts

    async def __aenter__(self) -> CopyBlocks:
        self._loop = asyncio.get_running_loop()
        self._thread = asyncio.ensure_future(asyncio.to_thread(self._read))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        while not self._queue.empty():  # unblock a reader waiting to hand over a block
            self._queue.get_nowait()
        if self._thread is not None:
            await asyncio.shield(self._thread)

    def __aiter__(self) -> AsyncIterator[Block]:
        return self._blocks()

    async def _blocks(self) -> AsyncIterator[Block]:
        while True:
            item = await self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    # --- in the worker thread -------------------------------------------------------

    def _read(self) -> None:
        try:
            self._encode()
        except BaseException as error:  # handed to the consumer, which raises it
            self._hand_over(error)
        else:
            self._hand_over(_END)

    def _encode(self) -> None:
        if checked_format(self._path, self._file_name, self._limits) == "csv":
            budget = ReadBudget(self._limits)
            plan = columnar_csv.plan_csv(self._path, self._limits, budget)
            if plan is not None:
                self._encode_columnar(plan, budget)
                return
        self._encode_rows()

    def _encode_columnar(self, plan: columnar_csv.CsvPlan, budget: ReadBudget) -> None:
        """The CSV file Polars reads exactly as the row-by-row reader would (see
        ``columnar_csv``): parsed and encoded in batches, the rows never built in Python."""
        for data, rows in columnar_csv.copy_blocks(plan, self._prefix, budget):
            if not self._hand_over(Block(data, rows)):
                return
        self._facts = TableFacts(
            file_format="csv",
            sheet_name=None,
            headers=list(plan.headers),
            detected={"encoding": plan.encoding, "delimiter": plan.delimiter},
            blank_rows_skipped=plan.blank_rows,
        )

    def _encode_rows(self) -> None:
        prefix, json_field = self._prefix, copy_format.json_field
        with open_table(
            self._path, file_name=self._file_name, sheet=self._sheet, limits=self._limits
        ) as table:
            lines: list[str] = []
            size = 0
            for row_number, values in table.rows:
                line = f"{prefix}\t{row_number}\t{json_field(values)}\n"
                lines.append(line)
                size += len(line)
                if len(lines) >= BLOCK_ROWS or size >= BLOCK_BYTES:
                    if not self._hand_over(Block("".join(lines).encode(), len(lines))):
                        return
                    lines, size = [], 0
            if lines and not self._hand_over(Block("".join(lines).encode(), len(lines))):
                return
            self._facts = TableFacts(
                file_format=table.file_format,
                sheet_name=table.sheet_name,
                headers=list(table.headers),
                detected=dict(table.detected),
                blank_rows_skipped=table.stats.blank_rows_skipped,
                warnings=list(table.stats.warnings),
            )

    def _hand_over(self, item: Any) -> bool:
        """Queue ``item`` for the loop, waiting for room; False once the consumer has left."""
        if self._stop.is_set() or self._loop is None:
            return False
        put = asyncio.run_coroutine_threadsafe(self._queue.put(item), self._loop)
        while True:
            try:
                put.result(timeout=0.5)
                return not self._stop.is_set()
            except TimeoutError:
                if self._stop.is_set():
                    put.cancel()
                    return False
