"""Every `{% url 'name' … %}` in the templates names a route that exists. Some templates use the
`{% url … as var %}` form, which renders nothing instead of failing when a name is wrong, so a
misspelt or renamed route would otherwise only show as a missing link."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import get_resolver

URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w:-]+)['"]""")


def _names_used() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for name in URL_TAG.findall(template.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(str(template.relative_to(settings.BASE_DIR)))
    return used


def test_every_url_name_in_the_templates_is_routed():
    routed = {key for key in get_resolver().reverse_dict if isinstance(key, str)}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        routed |= {f"{namespace}:{key}" for key in resolver.reverse_dict if isinstance(key, str)}
    missing = {name: sorted(files) for name, files in _names_used().items() if name not in routed}
    assert not missing, f"Templates name routes that do not exist: {missing}"
