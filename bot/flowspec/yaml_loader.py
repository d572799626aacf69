"""A YAML loader for flows that reads only `true`/`false` as booleans (as YAML 1.2 does).

PyYAML follows YAML 1.1, where an unquoted `on`, `yes` or `no` is a boolean: the branch key
`on:` would become `True` and `when: yes` would never match the answer "yes". Built on the C
parser when there is one (bot.yamlio); the resolvers it changes are the Python side of both.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.yamlio import SAFE_LOADER

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class FlowYamlLoader(SAFE_LOADER):  # type: ignore[misc,valid-type]
    pass


FlowYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FlowYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=FlowYamlLoader)  # a SafeLoader subclass: no object tags
