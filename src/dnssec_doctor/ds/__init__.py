"""The DS pre-upload check (`ds`): pasted input, registry policies, the live zone, the verdict.

Will the parent or registry accept this DS, and will the chain validate once it is
published? Input parsing (``input*``), registry rules (``registry_policy``), the zone
as its servers serve it (``live``) and the preflight analysis (``preflight``).
"""
