"""Content-addressed jobs on Dask distributed: the engine under ``explore`` and ``synth``.

A :class:`Job` names a function (``"module:function"``, importable in a fresh
interpreter) and its JSON arguments; its key is the SHA-256 of both plus a salt (tool
versions). :func:`run_sweep` looks every key up in a :class:`ResultCache`, runs the rest
-- serially, on a local Dask cluster sized to the machine, or on the cluster at a
scheduler address -- and caches each success as it arrives, so a re-run or an interrupted
sweep skips what is done.

Every job runs in a child interpreter (``python -m neurocore_hw.sweep``) in its own process
group: the time-out kills it and every tool it started, a crash (a segfault in a tool)
is that job's failure, and a worker that dies mid-job is Dask's to reschedule. A failed or
timed-out job is a record with ``status`` and ``error``, never an exception.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

__all__ = ["Job", "Progress", "ResultCache", "job_key", "make_job", "run_job", "run_sweep",
           "source_digest"]

#: Where results are cached unless told otherwise.
DEFAULT_CACHE = Path("build") / "explore-cache"


def job_key(func: str, spec: dict, salt: object = None) -> str:
    """SHA-256 of the function name, its arguments and ``salt`` (canonical JSON)."""
    text = json.dumps({"func": func, "spec": spec, "salt": salt}, sort_keys=True,
                      separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


_DIGESTS: dict[str, str] = {}


def source_digest(*packages: str) -> str:
    """SHA-256 of every ``.py`` file of the named packages (their code version): part of
    the key of a job whose result depends on this code, so an edit is never served a
    stale cached result."""
    name = ",".join(packages)
    if name not in _DIGESTS:
        h = hashlib.sha256()
        for package in packages:
            root = Path(import_module(package).__file__).parent
            for path in sorted(root.rglob("*.py")):
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        _DIGESTS[name] = h.hexdigest()
    return _DIGESTS[name]


@dataclass(frozen=True)
class Job:
    """One unit of work.

    Attributes
    ----------
    func : str
        ``"package.module:function"``; called as ``function(**spec)`` and returning a
        JSON-able value.
    spec : dict
        JSON-able keyword arguments.
    key : str
        Content address (:func:`job_key`).
    label : str
        Short description for progress lines and reports.
    """

    func: str
    spec: dict = field(hash=False)
    key: str = ""
    label: str = ""


def make_job(func: str, spec: dict, *, label: str = "", salt: object = None,
             key_spec: dict | None = None) -> Job:
    """A :class:`Job` keyed by ``key_spec`` (default ``spec``; give a smaller stand-in, such
    as a hash of a large text argument) and ``salt``."""
    return Job(func, spec, job_key(func, spec if key_spec is None else key_spec, salt), label)


def _call(func: str, spec: dict):
    module, _, name = func.partition(":")
    if not name:
        raise ValueError(f"job function {func!r} is not 'module:function'")
    return getattr(import_module(module), name)(**spec)


def run_job(job: Job, timeout: float = 600.0) -> dict:
    """Run ``job`` in a child interpreter with a time-out; never raises for the job's own
    failure.

    Returns
    -------
    dict
        ``key``, ``label``, ``status`` (``"ok"``, ``"failed"`` or ``"timeout"``),
        ``result`` (the function's return value, or None), ``error`` (one line or None),
        ``seconds`` (wall time of the job).
    """
    t0 = time.perf_counter()
    record = {"key": job.key, "label": job.label, "status": "ok", "result": None,
              "error": None}
    with tempfile.TemporaryDirectory(prefix="neurocore-job-") as tmp:
        out = Path(tmp) / "result.json"
        proc = subprocess.Popen(
            [sys.executable, "-m", "neurocore_hw.sweep", job.func, str(out)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        try:
            _, err = proc.communicate(json.dumps(job.spec), timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            record.update(status="timeout", error=f"timed out after {timeout:g} s")
        except BaseException:  # the worker is going away: take the tools with it
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        else:
            if proc.returncode == 0 and out.exists():
                record["result"] = json.loads(out.read_text())
            else:
                lines = [ln for ln in err.strip().splitlines() if ln.strip()]
                record.update(status="failed",
                              error=lines[-1] if lines else f"exit status {proc.returncode}")
    record["seconds"] = round(time.perf_counter() - t0, 3)
    return record


class ResultCache:
    """Job records on disk, one JSON file per key (``DIR/ab/abcdef....json``).

    Parameters
    ----------
    root : path
        Cache folder (created on the first write).
    """

    def __init__(self, root: str | Path = DEFAULT_CACHE):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The cached record of ``key``, or None (also for an unreadable file)."""
        try:
            return json.loads(self._path(key).read_text())
        except (OSError, ValueError):
            return None

    def put(self, record: dict) -> None:
        """Store a record (atomically: a reader never sees half a file)."""
        path = self._path(record["key"])
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as fh:
            json.dump(record, fh)
        os.replace(tmp, path)


class Progress:
    """Progress on ``stream``: a bar redrawn in place on a terminal, a line per finished
    job otherwise (logs)."""

    def __init__(self, total: int, *, cached: int = 0, stream=None, prefix: str = "explore"):
        self.stream = sys.stderr if stream is None else stream
        self.total, self.done, self.failed, self.cached = total, cached, 0, cached
        self.prefix, self.t0 = prefix, time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        if total:
            print(f"{prefix}: {total} jobs, {cached} cached", file=self.stream, flush=True)

    def update(self, record: dict) -> None:
        """Count one finished job."""
        self.done += 1
        self.failed += record["status"] != "ok"
        elapsed = time.perf_counter() - self.t0
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            print(f"\r{self.prefix}: [{'#' * filled}{'.' * (width - filled)}] "
                  f"{self.done}/{self.total} ({self.failed} failed) {elapsed:5.0f} s",
                  end="", file=self.stream, flush=True)
        else:
            note = "" if record["status"] == "ok" else f" {record['status']}: {record['error']}"
            print(f"{self.prefix}: {self.done}/{self.total} {record['label']} "
                  f"({record['seconds']:.1f} s){note}", file=self.stream, flush=True)

    def close(self) -> None:
        """End the bar's line."""
        if self.tty and self.total:
            print(file=self.stream, flush=True)


def _client(scheduler: str, workers: int):
    """A Dask client: ``"local"`` starts a cluster of ``workers`` processes (one thread
    each: a job is one child process); anything else is a scheduler address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise RuntimeError("Dask distributed is not installed; run `make install` or "
                           "use --scheduler serial") from exc
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout="5s"), None
    except OSError as exc:
        raise RuntimeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None


def run_sweep(jobs: Sequence[Job], *, scheduler: str = "local", workers: int | None = None,
              timeout: float = 600.0, cache: ResultCache | None = None,
              progress: Progress | bool = True,
              on_client: Callable | None = None) -> dict[str, dict]:
    """Run every job not in ``cache``; return ``{key: record}`` (see :func:`run_job`).

    Parameters
    ----------
    jobs : sequence of Job
        Duplicates (same key) run once.
    scheduler : str
        ``"serial"`` (this process, one job at a time), ``"local"`` (a Dask cluster on
        this machine) or a Dask scheduler address (``tcp://host:8786``).
    workers : int, optional
        Workers of the local cluster (default: the machine's cores).
    timeout : float
        Seconds per job.
    cache : ResultCache, optional
        Where finished records are looked up and stored (None: no cache).
    progress : Progress or bool
        Report progress on stderr (True), not at all (False), or through this object.
    on_client : callable, optional
        Called with the Dask client once the jobs are submitted (tests kill a worker).

    Returns
    -------
    dict of str to dict
        A record per key: ``status`` ``"ok"`` / ``"failed"`` / ``"timeout"``, ``result``,
        ``error``, ``seconds``, ``cached`` (True when it came from the cache).
    """
    unique = {job.key: job for job in jobs}
    records: dict[str, dict] = {}
    todo = []
    for key, job in unique.items():
        hit = cache.get(key) if cache is not None else None
        if hit is not None and hit.get("status") == "ok":
            records[key] = {**hit, "cached": True}
        else:
            todo.append(job)
    if progress is True:
        progress = Progress(len(unique), cached=len(records))
    elif progress is False:
        progress = None

    def finish(record: dict) -> None:
        record["cached"] = False
        records[record["key"]] = record
        if cache is not None and record["status"] == "ok":
            cache.put({k: v for k, v in record.items() if k != "cached"})
        if progress is not None:
            progress.update(record)

    try:
        if not todo:
            return records
        if scheduler == "serial":
            for job in todo:
                finish(run_job(job, timeout))
            return records
        client, cluster = _client(scheduler, workers or os.cpu_count() or 1)
        try:
            from distributed import as_completed

            futures = {client.submit(run_job, job, timeout, key=f"job-{job.key}",
                                     pure=False): job for job in todo}
            if on_client is not None:
                on_client(client)
            for future in as_completed(futures):
                job = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # the task itself was lost (workers kept dying)
                    record = {"key": job.key, "label": job.label, "status": "failed",
                              "result": None, "error": f"{type(exc).__name__}: {exc}",
                              "seconds": 0.0}
                finish(record)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return records
    finally:
        if progress is not None:
            progress.close()


def _main(argv: Sequence[str]) -> int:
    """Child side of :func:`run_job`: ``python -m neurocore_hw.sweep FUNC OUT.json`` with
    the JSON arguments on stdin; anything the function prints goes to stderr."""
    func, out = argv
    spec = json.loads(sys.stdin.read())
    stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        result = _call(func, spec)
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    finally:
        sys.stdout = stdout
    Path(out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
