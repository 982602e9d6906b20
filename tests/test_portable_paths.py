"""No tracked text file names a path that exists only on the machine the project was built on.

Issue 12, bug 9: a paper suite cited a notes file by its absolute path on the
build machine and a test helper held an absolute path into a virtual
environment. A user has neither: cite papers and repositories, and locate
installed package files with ``importlib.util.find_spec``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCOPE = ("ganbench/", "suites/", "tests/", "docs/", "README.md")
# built from pieces so that this file does not match itself
_S = "/"
_HOMES = ("work", "root", "home", "Users")
MACHINE_PATH = re.compile(
    "|".join(
        [re.escape(f"{_S}{h}{_S}") for h in _HOMES]
        + [re.escape(p) for p in ("site" + "-packages", "dist" + "-packages", ".venv" + _S + "lib")]
    )
)


def _tracked_files() -> list[Path]:
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        out = subprocess.run(
            [git, "ls-files", "-z", "--", *SCOPE],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        return [ROOT / p for p in out.decode().split("\0") if p]
    files = [p for d in SCOPE[:-1] for p in (ROOT / d).rglob("*") if p.is_file()]
    return [*files, ROOT / "README.md"]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None  # binary
    return data.decode("utf-8", errors="replace")


def find_machine_paths(files: list[Path]) -> list[str]:
    """``path:line: text`` of every line naming a build-machine path."""
    hits = []
    for path in files:
        text = _text(path) if path.exists() else None
        for i, line in enumerate((text or "").splitlines(), 1):
            if MACHINE_PATH.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()[:120]}")
    return hits


def test_the_scan_sees_the_project():
    names = {p.relative_to(ROOT).as_posix() for p in _tracked_files()}
    assert {"README.md", "ganbench/config.py", "tests/conftest.py"} <= names
    assert any(n.startswith("suites/papers/") for n in names)


def test_the_pattern_catches_machine_paths(tmp_path):
    bad = [
        _S + "work" + _S + "shared" + _S + "notes.md",
        "C:" + _S + "Users" + _S + "me" + _S + "x.py",
        "lib" + _S + "python3.11" + _S + "site" + "-packages" + _S + "pkg" + _S + "w.pt",
        "proj" + _S + ".venv" + _S + "lib" + _S + "python3.12",
        _S + "home" + _S + "ci" + _S + "data",
        _S + "root" + _S + ".cache",
    ]
    assert all(MACHINE_PATH.search(b) for b in bad)
    good = ["~/.cache/torch/hub", "https://github.com/fjxmlzn/PacGAN", "/usr/share/datasets/"]
    assert not any(MACHINE_PATH.search(g) for g in good)


def test_no_tracked_file_names_a_build_machine_path():
    hits = find_machine_paths(_tracked_files())
    assert not hits, "absolute paths of the build machine:\n" + "\n".join(hits)
