"""Named protocols and reference specs."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.cli import main
from ganbench.errors import AssetError, ConfigError, UnknownNameError
from ganbench.evaluate.protocols import DEFAULT_PROTOCOL, PROTOCOLS, protocol_lines
from ganbench.evaluate.references import (
    DatasetReference,
    FolderReference,
    StatsReference,
    parse_reference,
)
from ganbench.metrics.options import SampleQualityOptions
from ganbench.metrics.preprocess import PREPROCESSINGS


@pytest.mark.parametrize("name", PROTOCOLS.names())
def test_every_protocol_resolves_to_valid_options(name):
    p = PROTOCOLS.get(name)
    options = p.resolved_options()
    SampleQualityOptions(**options)  # every field valid
    assert options["preprocessing"] in PREPROCESSINGS
    assert p.n_fake >= 2 and p.description
    assert p.resolved_options({"n_real": 123})["n_real"] == 123


def test_default_protocol_is_registered_and_listed(capsys):
    assert DEFAULT_PROTOCOL in PROTOCOLS
    assert len(protocol_lines()) == len(PROTOCOLS.names())
    assert main(["ls", "protocols"]) == 0
    out = capsys.readouterr().out
    assert all(n in out for n in PROTOCOLS.names()) and "(default)" in out


def test_unknown_protocol_lists_the_valid_ones():
    with pytest.raises(UnknownNameError, match="ttur"):
        PROTOCOLS.get("tur")


def test_reference_specs(tmp_path):
    ref = parse_reference("digits:test")
    assert isinstance(ref, DatasetReference) and ref.label == "digits:test"
    assert ref.split("train") == "test" and ref.identity()["split"] == "test"
    ring = parse_reference("ring")
    assert isinstance(ring, DatasetReference) and ring.split("train") == "train"
    assert ring.dataset().kind == "points"
    folder = tmp_path / "real"
    folder.mkdir()
    assert isinstance(parse_reference(f"folder:{folder}"), FolderReference)
    assert isinstance(parse_reference(str(folder)), FolderReference)
    np.savez(tmp_path / "s.npz", mu=np.zeros(2), sigma=np.eye(2))
    assert isinstance(parse_reference(f"stats:{tmp_path / 's.npz'}"), StatsReference)
    assert isinstance(parse_reference(str(tmp_path / "s.npz")), StatsReference)


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("", ConfigError, "empty reference"),
        ("cifar100:train", ConfigError, "unknown dataset"),
        ("folder:/nonexistent/x", AssetError, "is not a folder"),
        ("stats:/nonexistent/x.npz", AssetError, "no statistics file"),
    ],
)
def test_bad_reference_specs(spec, error, message):
    with pytest.raises(error, match=message) as info:
        parse_reference(spec)
    assert "\n" not in str(info.value)


def test_unknown_split_is_refused():
    with pytest.raises(ConfigError, match="unknown split 'val'"):
        parse_reference("digits:val").dataset()
