"""nox sessions: tests, slow, integration, gpu, lint, typecheck, bench, demo."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The default (fast) test run."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def slow(session: nox.Session) -> None:
    """Long checks: slow and reference-marked tests."""
    session.install("-e", ".[test,fid]")
    session.run("python", "-m", "pytest", "-m", "slow or reference", *session.posargs)


@nox.session
def integration(session: nox.Session) -> None:
    """Real-process checks: Ray backend, SIGKILL crash recovery, concurrent runners."""
    session.install("-e", ".[test,ray]")
    session.run("python", "-m", "pytest", "-m", "integration", *session.posargs)


@nox.session
def gpu(session: nox.Session) -> None:
    """Tests that need a CUDA device."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-m", "gpu", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", "ganbench", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "ganbench", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy over the package."""
    session.install("-e", ".", "mypy", "types-PyYAML")
    session.run("mypy", "ganbench")


@nox.session
def bench(session: nox.Session) -> None:
    """pytest-benchmark benchmarks; writes benchmarks/README.md."""
    session.install("-e", ".[test,fid]")
    session.run(
        "python",
        "-m",
        "pytest",
        "benchmarks",
        "-m",
        "bench",
        "-p",
        "no:cacheprovider",
        "--benchmark-json",
        "benchmarks/results.json",
        *session.posargs,
    )
    session.run("python", "benchmarks/write_readme.py", "benchmarks/results.json")


@nox.session
def demo(session: nox.Session) -> None:
    """The README's main job: run the default suite and render its report."""
    session.install("-e", ".")
    session.run("python", "-m", "ganbench", "run", "suites/objectives.yaml", *session.posargs)
