"""The chain of trust zone by zone: DS to DNSKEY, signatures, key policy, rollovers, CDS.

The guide's "expired signatures", "ZSK / KSK rollover done wrong" and "DS uploads"
symptoms are decided here, from what every server of every zone on the chain sent.
"""
