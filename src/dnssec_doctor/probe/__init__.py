"""Collection: the delegation walk and the per-zone query plans (I/O through the Client only)."""
