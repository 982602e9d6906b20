from __future__ import annotations

import pytest

from ganbench.errors import UnknownNameError
from ganbench.registry import Registry


def make() -> Registry:
    reg: Registry = Registry("widget")

    @reg.register("alpha")
    class Alpha:
        """First widget.

        More text."""

    reg.add("beta", object(), description="Second widget")
    return reg


def test_register_and_get():
    reg = make()
    assert reg.names() == ["alpha", "beta"]
    assert reg.entry("alpha").description == "First widget."
    assert reg.entry("beta").description == "Second widget"
    assert "alpha" in reg and "gamma" not in reg
    assert len(reg) == 2


def test_duplicate_name_raises():
    reg = make()
    with pytest.raises(ValueError, match="already registered"):
        reg.add("alpha", object())


def test_unknown_name_suggests_and_lists():
    reg = make()
    with pytest.raises(UnknownNameError) as info:
        reg.get("alpah")
    msg = str(info.value)
    assert "did you mean 'alpha'" in msg
    assert "valid: alpha, beta" in msg
    assert "\n" not in msg


def test_unknown_name_without_close_match():
    with pytest.raises(UnknownNameError) as info:
        make().get("zzzzzz")
    assert "did you mean" not in str(info.value)


def test_meta_is_kept():
    reg: Registry = Registry("thing")
    reg.add("x", 1, description="d", ensemble=True)
    assert reg.entry("x").meta == {"ensemble": True}


def test_description_is_the_first_docstring_line_without_rest_literals():
    reg: Registry = Registry("thing")

    @reg.register("mlp")
    def build():
        """MLP (``depth`` × ``width``).

        More text.
        """

    assert reg.entry("mlp").description == "MLP (depth × width)."
