"""Pure analysis: survey + now + trust anchors + policy → diagnosis."""
