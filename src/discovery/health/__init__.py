"""Wiring health: metrics that prove nothing is orphaned, and the tools that repair it."""
