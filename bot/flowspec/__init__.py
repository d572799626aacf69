"""Heard's flow format: versioned YAML, its schema, a validator and the typed model."""

from bot.flowspec.loader import FlowError, default_flows_dir, load_flows
from bot.flowspec.model import Flow, FlowSet
from bot.flowspec.validate import validate_flows

__all__ = ["Flow", "FlowError", "FlowSet", "default_flows_dir", "load_flows", "validate_flows"]
