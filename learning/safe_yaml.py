"""Safe YAML for review metadata: no aliases ("billion laughs"), and ``1_4`` read as text, not
as YAML 1.1's integer 14 (age groups stay text).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import yaml


class YamlAliasRefused(yaml.MarkedYAMLError):
    """Review metadata used a YAML alias (``*name``): refused, since a few hundred bytes of
    aliases can expand to gigabytes ("billion laughs")."""


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML without aliases, and without YAML 1.1's reading of ``1_4`` as the integer 14
    (age groups stay text)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML's types
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlAliasRefused(
                None, None, "YAML aliases (*name) are not allowed in metadata", event.start_mark
            )
        return super().compose_node(parent, index)


_YamlLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


def _scalar_or_text(loader: _YamlLoader, node: yaml.ScalarNode, tag: str) -> Any:  # noqa: ANN401
    """The scalar as PyYAML reads it, or as text where PyYAML's own reading raises ValueError:
    a date that is not one (``2021-02-30``), an integer of over 4,300 digits."""
    try:
        return yaml.SafeLoader.yaml_constructors[tag](loader, node)
    except ValueError:
        return loader.construct_scalar(node)


for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int"):
    _YamlLoader.add_constructor(_tag, partial(_scalar_or_text, tag=_tag))


def load_yaml(text: str) -> Any:
    """Safe YAML load in which ``1_4`` is text, not 14, and aliases are refused
    (:class:`YamlAliasRefused`). Every problem is a ``yaml.YAMLError``."""
    try:
        return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise yaml.YAMLError("the YAML is nested too deeply") from None
