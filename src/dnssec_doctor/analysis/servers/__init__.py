"""Which server is wrong, and why: reachability, transport behaviour, sizes, consistency.

The guide's middleboxes that drop large or DO-flagged answers, lame delegations and
secondaries serving an unsigned or stale copy are diagnosed here.
"""
