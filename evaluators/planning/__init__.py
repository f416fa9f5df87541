"""The planning domain: procedural memory in text worlds (built-in households and ALFWorld)."""
