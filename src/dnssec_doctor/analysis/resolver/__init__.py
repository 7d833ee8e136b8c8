"""Recursive resolvers (``--resolver``): their answers judged against this run's own validation.

The guide's missing AD bits, stale trust anchors and SERVFAIL-only-with-validation.
"""
