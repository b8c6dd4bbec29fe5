"""The predictions and report schemas: well-formed, every property described, examples valid."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from akhbar.schema import load, validator


def _undescribed(node: Any, path: str = "") -> list[str]:
    out = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                out.append(f"{path}/properties/{name}")
        for key, sub in node.items():
            out += _undescribed(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            out += _undescribed(sub, f"{path}/{i}")
    return out


@pytest.mark.parametrize("name", ["predictions", "report"])
def test_schema_is_valid_and_described(name):
    Draft202012Validator.check_schema(load(name))
    assert _undescribed(load(name)) == []


def test_prediction_examples_validate():
    for example in load("predictions")["examples"]:
        assert not list(validator("predictions").iter_errors(example))
    assert list(validator("predictions").iter_errors({"id": "x", "ner_tags": ["B_PER"]}))
