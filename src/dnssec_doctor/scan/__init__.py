"""``scan``: many names, one streaming pass (docs/scaling.md).

- :mod:`.inputs`: names streamed from a file (one per line, or a CSV ``name`` column),
  malformed lines and duplicates turned into records;
- :mod:`.records`: one result record per input line, its CSV row and exit status;
- :mod:`.writers`: JSON Lines and CSV output, appended safely, and ``--resume``;
- :mod:`.ratelimit` and :mod:`.sharedwire`: a polite per-server pace and the answers
  every name may share (the same question to the same server is asked once);
- :mod:`.runner`: one asyncio loop probing a bounded window of names, analysis in a
  process pool;
- :mod:`.dask_adapter`: the same work spread over a Dask distributed cluster;
- :mod:`.summary` and :mod:`.progress`: what the user sees on stderr.
"""
