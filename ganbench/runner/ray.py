"""The Ray backend: every task (one ensemble of cells) is a Ray task.

``ganbench run SUITE --backend ray [--address ADDR]`` connects to a running
cluster (``ADDR``, e.g. ``auto`` or ``ray://host:10001``) or starts a local
instance. Each task asks for ``--cpus-per-task`` CPUs and ``--gpus-per-task``
GPUs; fractions such as ``0.25`` let several small runs share one device. The
tasks return their records to the driver, which writes them, so the workers
need ganbench and the datasets but no access to the results folder. Ray's own
retries are off: the driver retries a failed task once, as for every backend.
Ray is an optional extra (``pip install 'ganbench[ray]'``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ganbench.config import Cell
from ganbench.errors import ConfigError
from ganbench.record import RunRecord
from ganbench.runner.tasks import Outcome, ProgressFn, Task, run_cells

if TYPE_CHECKING:
    from ganbench.runner.sweep import RunOptions

log = logging.getLogger(__name__)


def _ray_task(cells: Sequence[Cell], device: str, threads: int) -> list[RunRecord]:
    """What a Ray worker runs (module-level so that it pickles by reference)."""
    return run_cells(cells, device, threads=threads)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("--backend ray needs Ray: pip install 'ganbench[ray]'") from None
    return ray


def _error_text(exc: BaseException) -> str:
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        exc = cause
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"


class RayExecutor:
    """Submits tasks to Ray, as many at a time as the cluster can run."""

    name = "ray"

    def __init__(
        self, options: RunOptions, device: str, progress: ProgressFn | None = None
    ) -> None:
        self.ray = ray = _import_ray()
        self.progress = progress
        self._owns = not ray.is_initialized()
        if self._owns:
            try:
                ray.init(
                    address=options.address,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise ConfigError(
                    f"--address {options.address}: cannot start or reach Ray ({_error_text(exc)})"
                ) from None
        resources = ray.cluster_resources()
        gpus = self._gpus(options.gpus_per_task, device, resources.get("GPU", 0.0))
        cpus = options.cpus_per_task or 1.0
        self.device = "cuda" if gpus > 0 else "cpu"
        self.threads = max(1, int(cpus))
        by_cpu = resources.get("CPU", 0.0) / cpus
        by_gpu = resources.get("GPU", 0.0) / gpus if gpus > 0 else math.inf
        self.slots = max(1, int(min(by_cpu, by_gpu)))
        self._remote = ray.remote(_ray_task).options(num_cpus=cpus, num_gpus=gpus, max_retries=0)
        self._refs: dict[Any, Task] = {}
        log.info(
            "Ray: %s CPUs, %s GPUs; %s CPU and %s GPU per task, %d at a time",
            resources.get("CPU", 0),
            resources.get("GPU", 0),
            cpus,
            gpus,
            self.slots,
        )

    @staticmethod
    def _gpus(requested: float | None, device: str, available: float) -> float:
        if device == "cpu":
            if requested:
                raise ConfigError("--gpus-per-task > 0 contradicts --device cpu")
            return 0.0
        if requested is None:
            requested = 1.0 if (device == "cuda" or available > 0) else 0.0
        if device == "cuda" and (requested == 0 or available == 0):
            raise ConfigError("--device cuda: the Ray cluster has no GPUs or --gpus-per-task is 0")
        if requested > available:
            raise ConfigError(
                f"--gpus-per-task {requested}: the Ray cluster has {available} GPU(s)"
            )
        return float(requested)

    def capacity(self) -> int:
        """Free slots in the cluster (as sized at start)."""
        return self.slots - len(self._refs)

    def submit(self, task: Task) -> None:
        """Submit ``task`` as a Ray task."""
        task.device = self.device
        ref = self._remote.remote(task.cells, self.device, self.threads)
        self._refs[ref] = task

    def poll(self, timeout: float) -> list[Outcome]:
        """Outcomes of the Ray tasks that finished within ``timeout``."""
        if not self._refs:
            return []
        refs = list(self._refs)
        ready, _ = self.ray.wait(refs, num_returns=1, timeout=timeout)
        if ready:
            ready, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0)
        out = []
        for ref in ready:
            task = self._refs.pop(ref)
            try:
                records = self.ray.get(ref)
            except Exception as exc:  # RayTaskError, WorkerCrashedError, ...
                out.append(Outcome(task, error=_error_text(exc), traceback=str(exc)[-4000:]))
            else:
                out.append(Outcome(task, records=records))
        return out

    def close(self) -> None:
        """Cancel unfinished tasks; shut Ray down if this executor started it."""
        for ref in self._refs:
            try:
                self.ray.cancel(ref, force=True)
            except Exception as exc:
                log.debug("could not cancel a Ray task: %s", exc)
        self._refs.clear()
        if self._owns:
            self.ray.shutdown()
