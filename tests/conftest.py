"""Shared helpers: random valid LIF parameters and the repository paths."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from neurocore_hw.fixed import int_range
from neurocore_hw.models.lif import LIFParams

REPO = Path(__file__).resolve().parent.parent
BUILD_ROOT = REPO / "build" / "cosim"
# the CLI's co-simulations in the tests share the checkout's build cache (the CLI's own
# default is the user's cache folder)
os.environ.setdefault("NEUROCORE_HW_BUILD_DIR", str(BUILD_ROOT))


def seed_runtime(build_root: Path) -> None:
    """Copy the checkout cache's prebuilt Verilator runtimes (the linked runtime object
    and the precompiled header, design-independent) into ``build_root``, for tests of
    where and how a fresh cache builds that need not compile the runtime again (when
    no test has built one yet, the build simply compiles it)."""
    for runtime in BUILD_ROOT.glob("_runtime-*"):
        if (runtime / "verilated_runtime.o").is_file():
            shutil.copytree(runtime, Path(build_root) / runtime.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("*.tmp*"))


def random_lif_params(rng: np.random.Generator, *, narrow: bool = False) -> LIFParams:
    """A random valid LIFParams covering widths 2..32 and both modes of each option.

    With ``narrow``: the formats the engine's fast kernels take (width <= 16, a third of
    them 16 bits) and short refractory periods, so the transition table fits.
    """
    if narrow:
        width = 16 if rng.random() < 1 / 3 else int(rng.integers(2, 16))
    else:
        width = int(rng.integers(2, 33))
    frac = int(rng.integers(0, width))
    lo, hi = int_range(width)

    def val():
        return int(rng.integers(lo, hi, endpoint=True))

    def refractory():
        if narrow:
            return int(rng.choice([0, 1, 2, 3, 6]))
        return int(rng.choice([0, 1, 2, 7, int(rng.integers(0, 65536))]))

    return LIFParams(width=width, frac=frac, v_rest=val(), v_reset=val(), v_threshold=val(),
                     leak_k=int(rng.integers(0, (1 << frac) + 1)), gain_k=val(),
                     refractory=refractory(),
                     overflow=str(rng.choice(["wrap", "saturate"])),
                     rounding=str(rng.choice(["floor", "nearest"])))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def evaluate_datapath(dut, params, state: dict, inputs: dict) -> dict:
    """Drive a combinational datapath with vectors (port name -> int array) in
    amaranth.sim; return spike and every ``<state>_next`` as int64 arrays."""
    from amaranth.sim import Simulator

    names = [s.name for s in params.state_ports()]
    outs = {"spike": []} | {f"{n}_next": [] for n in names}
    drives = {**state, **inputs}
    count = len(next(iter(drives.values())))

    async def bench(ctx):
        for k in range(count):
            for name, values in drives.items():
                ctx.set(getattr(dut, name), int(values[k]))
            for name in outs:
                outs[name].append(ctx.get(getattr(dut, name)))

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    return {k: np.array(v, dtype=np.int64) for k, v in outs.items()}


def run_unit(dut, stim, outputs) -> dict:
    """Clock a registered unit through a Stimulus in amaranth.sim (sync reset driven
    from ``stim.rst``); return each named output after every clock as int64 arrays."""
    from amaranth.hdl import ClockDomain, Module
    from amaranth.sim import Simulator

    top = Module()
    top.domains.sync = sync = ClockDomain("sync")
    top.submodules.dut = dut
    got = {name: [] for name in outputs}

    async def bench(ctx):
        for k in range(len(stim.en)):
            ctx.set(sync.rst, int(stim.rst[k]))
            ctx.set(dut.en, int(stim.en[k]))
            for name, values in stim.inputs.items():
                ctx.set(getattr(dut, name), int(values[k]))
            await ctx.tick()
            for name in got:
                got[name].append(ctx.get(getattr(dut, name)))

    sim = Simulator(top)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return {k: np.array(v, dtype=np.int64) for k, v in got.items()}


@pytest.fixture
def small_blocks(monkeypatch):
    """Engine blocks of 16 neurons and chunks of 5 steps: block and chunk edges inside a
    run of the fast path."""
    from neurocore_hw import engine

    monkeypatch.setattr(engine, "BLOCK_NEURONS", 16)
    monkeypatch.setattr(engine, "CHUNK_ELEMENTS", 5 * 16)
