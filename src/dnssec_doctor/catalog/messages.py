"""Message templates: a finding's prose, written once in the catalog, filled per case.

The analysis says *what* it found — a code, which of the code's cases (``says``), and
the values that case names — and the catalog turns that into the finding's detail and,
where the fix depends on the case, its fix. A template is ``str.format`` text with
named fields only (``"{count} signatures expired {ago} ago"``); its fields are its
required parameters. A finding that passes a parameter a template does not use, or
lacks one it does, is a programming error, raised at once (``TemplateError``), so a
test run that reaches a finding also checks its wording.
"""

from __future__ import annotations

from collections.abc import Mapping


class TemplateError(ValueError):
    """A template and the parameters given for it do not fit."""


def template_fields(template: str) -> frozenset[str]:
    """The named fields of ``template``; TemplateError for a positional or indexed field."""
    import string  # here, not at start-up: only a finding being filled needs it

    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TemplateError(f"unreadable template {template!r}: {exc}") from None
    for _text, field_name, _spec, _conversion in parsed:
        if field_name is None:
            continue
        if not field_name.isidentifier():
            raise TemplateError(f"template {template!r}: field {{{field_name}}} is not a name")
        names.add(field_name)
    return frozenset(names)


def fill(templates: Mapping[str, str], params: Mapping[str, object], where: str) -> dict[str, str]:
    """Each of ``templates`` (detail, fix, …) filled from ``params``.

    Every field of every template must be in ``params``, and every parameter must be
    used by at least one template.
    """
    needed: set[str] = set()
    for template in templates.values():
        needed |= template_fields(template)
    missing = sorted(needed - params.keys())
    unused = sorted(params.keys() - needed)
    if missing or unused:
        raise TemplateError(f"{where}: missing {missing}, unused {unused}")
    return {part: template.format_map(params) for part, template in templates.items()}
