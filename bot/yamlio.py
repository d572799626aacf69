"""Reading YAML fast: libyaml's C parser when PyYAML was built with it (several times faster
than PyYAML's own, which is the fallback), always with the safe constructor (no object tags).

Every YAML file Heard reads (flows, catalogue, per-language data, NLU training data) goes
through `SAFE_LOADER`, or `bot.flowspec.yaml_loader` for flows (built on the same base).
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, with the C parser when there is one."""
    return yaml.load(text, Loader=SAFE_LOADER)
