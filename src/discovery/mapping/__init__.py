"""Field mapping: suggestions from headers and values, review and approval."""
