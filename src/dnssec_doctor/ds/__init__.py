"""The DS pre-upload check (`ds`): pasted input, registry policies, the live zone, the verdict.

Will the parent or registry accept this DS, and will the chain validate once it is
published? Input parsing (``input*``), registry rules (``registry_policy``), the zone
as its servers serve it (``live``), the preflight analysis (``preflight``, with
``advice``, ``upload``, ``owner`` and ``input_findings``), and the one entry point
that turns the probe's survey and the user's input into the verdict
(``analyse.analyse_ds``). Pure: no probe, transport or rendering is imported here.
"""
