"""Hints one column gives about another.

* A bare ``Version`` right after an OS (or database) column is that thing's version.
* ``Cores per CPU`` or a total core count next to ``CPU Count`` / ``Number of Processors``
  means the CPU count is sockets (DCIM and software-inventory exports). ``Cores per
  socket`` says nothing of the kind: VMware's ``NumCpu`` beside ``CoresPerSocket`` is still
  the total vCPU count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from discovery.mapping.candidate import Candidate
from discovery.mapping.header_match import SYNONYM, header_candidates
from discovery.mapping.normalize import NormalizedHeader

_VERSION_WORDS: Final = frozenset({"version", "ver", "release", "vers"})
_VERSION_OF: Final = {
    "operating_system": "os_version",
    "database_type": "database_version",
}
_CPU_COUNTS: Final = frozenset(
    {
        "cpu",
        "cpucount",
        "numcpu",
        "numbercpu",
        "cpunumber",
        "processor",
        "processorcount",
        "numprocessor",
        "numberprocessor",
    }
)
_CORE_TOTALS: Final = frozenset(
    {
        "core",
        "corecount",
        "numcore",
        "numbercore",
        "totalcore",
        "cpucore",
        "cpucorecount",
        "totalcpucore",
        "processorcore",
        "numberprocessorcore",
    }
)
_CORES_PER_CPU: Final = frozenset(
    {"corespercpu", "corepercpu", "coresperprocessor", "coreperprocessor", "cpucore"}
)


def context_candidates(headers: Sequence[NormalizedHeader]) -> list[list[Candidate]]:
    """Extra candidates for each column, from its neighbours."""
    extra: list[list[Candidate]] = [[] for _ in headers]
    compacts = {h.singular_compact for h in headers}
    per_cpu = bool(compacts & _CORES_PER_CPU)
    has_sockets = any(
        (top := header_candidates(h)) and top[0].target == "cpu_sockets" for h in headers
    )
    # A CPU count beside a total core count (and no sockets column) counts sockets.
    cpus_are_sockets = per_cpu or (bool(compacts & _CORE_TOTALS) and not has_sockets)
    for i, header in enumerate(headers):
        if i > 0 and header.key in _VERSION_WORDS:
            previous = header_candidates(headers[i - 1])
            if previous and previous[0].target in _VERSION_OF and previous[0].confidence >= 0.8:
                target = _VERSION_OF[previous[0].target]
                reason = f"version next to '{headers[i - 1].raw}' ({target})"
                extra[i].append(Candidate(target, 0.82, SYNONYM, reason, 1))
        if cpus_are_sockets and header.singular_compact in _CPU_COUNTS:
            reason = "CPU count beside a core count: CPUs are sockets"
            extra[i].append(Candidate("cpu_sockets", 0.93, SYNONYM, reason, 2))
    return extra
