"""The key-level chain-of-trust graph: nodes, edges and which findings each is about."""
