"""The data probe writes and analysis reads, and the diagnosis analysis writes and renderers read.

Captures (exchanges, query specs, surveys, trust anchors), how one response is
classified, the names of the query variants, and the diagnosis (findings,
severities, the chain-of-trust graph). Pure data and pure functions: no sockets,
no event loop, no clock.
"""
