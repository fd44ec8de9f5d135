"""Assets, their dependencies, reconciliation and exports."""
