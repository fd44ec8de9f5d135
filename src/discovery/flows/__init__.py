"""Master flows and discovery flows: status, phases and the phase runner."""
