"""Strict-mapping validators shared by suites, paper sections and fit suites."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ganbench.errors import ConfigError
from ganbench.strict import check_keys, expect, unique_labels


def test_expect_types_and_bools():
    assert expect(3, int, "a.b", "an integer") == 3
    assert expect(True, (int, bool), "a.b", "a flag") is True
    with pytest.raises(ConfigError, match=r"^a\.b: expected an integer, got True$"):
        expect(True, int, "a.b", "an integer")
    with pytest.raises(ConfigError, match="got True"):
        expect(True, (int, float), "a.b", "a number")


def test_check_keys_lists_the_valid_ones():
    check_keys({"x": 1}, {"x", "y"}, "s.yaml: train")
    with pytest.raises(ConfigError, match=r"s\.yaml: train: unknown key 'z' \(valid: x, y\)"):
        check_keys({"z": 1}, {"x", "y"}, "s.yaml: train")


def test_unique_labels():
    unique_labels([SimpleNamespace(label="a"), SimpleNamespace(label="b")], "w")
    with pytest.raises(ConfigError, match="duplicate label 'a'"):
        unique_labels([SimpleNamespace(label="a")] * 2, "w")
