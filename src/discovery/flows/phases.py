"""Importing this module registers every phase handler with the runner."""

from discovery.assets import dependencies, tech_debt
from discovery.assets import phase as inventory_phase
from discovery.cleansing import phase as cleansing_phase
from discovery.imports import phase as import_phase
from discovery.mapping import phase as mapping_phase

REGISTERED = (
    import_phase, mapping_phase, cleansing_phase, inventory_phase, dependencies, tech_debt,
)  # fmt: skip
