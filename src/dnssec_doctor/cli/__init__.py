"""The command line: thin shells that load input, call the analysis, and render."""
