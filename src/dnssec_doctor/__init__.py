"""dnssec-doctor: finds out why DNSSEC is broken and says how to fix it."""

__version__ = "0.1.0"
