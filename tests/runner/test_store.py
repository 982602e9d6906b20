from __future__ import annotations

import errno
import json
import math
import os
import tempfile

import pytest

from ganbench.errors import StoreError
from ganbench.runner.store import ResultStore, decode_float
from tests.runner.conftest import plain_record


def test_write_read_roundtrip_with_non_finite_values(tmp_path):
    store = ResultStore(tmp_path, "s")
    rid = store.write(
        plain_record(metrics={"kl": {"value": math.inf}, "x": {"value": math.nan}})
    ).stem
    rec = store.read(rid)
    assert rec["metrics"]["kl"]["value"] == "inf"
    assert decode_float(rec["metrics"]["kl"]["value"]) == math.inf
    assert math.isnan(decode_float(rec["metrics"]["x"]["value"]))
    assert store.is_done(rid)
    assert not list(tmp_path.rglob("*.tmp"))


def test_unreadable_record_is_ignored(tmp_path):
    store = ResultStore(tmp_path, "s")
    store.dir.mkdir(parents=True)
    (store.dir / "abcdef0123456789.json").write_text("{half")
    assert store.read("abcdef0123456789") is None
    assert store.records() == []


def test_run_id_cannot_escape(tmp_path):
    with pytest.raises(StoreError):
        ResultStore(tmp_path, "s").path("../../etc/passwd")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_folder_is_one_line_error(tmp_path):
    store = ResultStore(tmp_path, "s")
    rid = store.write(plain_record()).stem
    store.dir.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="not writable"):
            store.check_writable()
        assert json.loads((store.dir / f"{rid}.json").read_text())["status"] == "ok"
    finally:
        store.dir.chmod(0o700)


def test_permission_denied_is_one_line_error_even_as_root(tmp_path, monkeypatch):
    """The chmod test above skips as root (CI runs as root): simulate EACCES instead."""
    store = ResultStore(tmp_path, "s")
    rid = store.write(plain_record()).stem

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(StoreError, match="not writable: Permission denied") as info:
        store.check_writable()
    assert "\n" not in str(info.value)
    monkeypatch.undo()
    assert json.loads((store.dir / f"{rid}.json").read_text())["status"] == "ok"


def test_results_root_that_is_a_file_is_one_line_error(tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="not writable") as info:
        ResultStore(blocker, "s").check_writable()
    assert "\n" not in str(info.value)
