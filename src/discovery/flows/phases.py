"""Which handler runs each phase: the one table the runner reads."""

from collections.abc import Mapping

from discovery.assets.dependencies import run_dependency_analysis
from discovery.assets.phase import run_asset_inventory
from discovery.assets.tech_debt import run_tech_debt
from discovery.cleansing.phase import run_data_cleansing
from discovery.flows.models import Phase
from discovery.flows.phase_contract import PhaseHandler
from discovery.imports.phase import run_data_import
from discovery.mapping.phase import run_field_mapping

HANDLERS: Mapping[Phase, PhaseHandler] = {
    Phase.DATA_IMPORT: run_data_import,
    Phase.FIELD_MAPPING: run_field_mapping,
    Phase.DATA_CLEANSING: run_data_cleansing,
    Phase.ASSET_INVENTORY: run_asset_inventory,
    Phase.DEPENDENCY_ANALYSIS: run_dependency_analysis,
    Phase.TECH_DEBT_ASSESSMENT: run_tech_debt,
}
