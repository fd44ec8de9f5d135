"""End of support: lifecycle tables of operating systems and database engines, and flags.

``operating_systems`` and ``databases`` hold the vendors' dates as data, each entry with
its source, and read releases from the free text exports carry; ``flags`` turns the
releases of an asset into its tech-debt flags.
"""

from discovery.assets.end_of_support.databases import identify_databases
from discovery.assets.end_of_support.flags import SOON, assessment, flags_for
from discovery.assets.end_of_support.operating_systems import identify
from discovery.assets.end_of_support.release import Release

# The name the OS matchers' results have always had.
OsRelease = Release

__all__ = [
    "SOON",
    "OsRelease",
    "Release",
    "assessment",
    "flags_for",
    "identify",
    "identify_databases",
]
