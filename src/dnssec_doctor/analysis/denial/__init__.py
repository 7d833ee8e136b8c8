"""Denial of existence: NSEC and NSEC3 proofs of NXDOMAIN, NODATA and insecure delegations.

The guide's "servers that cannot serve NSEC3 proofs" and half-done NSEC to NSEC3
migrations are read here (RFC 4035 §5.4, RFC 5155 §8).
"""
