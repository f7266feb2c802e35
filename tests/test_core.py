"""The population core's Verilog under Verilator against the network golden model."""

import dataclasses
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import BUILD_ROOT, random_lif_params

from neurocore_hw.cli import main
from neurocore_hw.models.lif import LIFParams
from neurocore_hw.network import CoreConfig, run_network
from neurocore_hw.registry import resolve_params
from rtl_gen import core
from rtl_gen.core import check_fits, core_layout, emit_core, ram_plan
from rtl_gen.verify.core import random_network, run_core_cosim
from rtl_gen.verify.toolchain import lint

LIF = resolve_params("lif", "sc_lif_q8_8", {"gain_k": 256})


def cosim(config, steps=100, seed=1, **kwargs):
    weights, events, state, acc = random_network(config, steps, seed)
    return run_core_cosim(config, weights, events, steps, state=state, acc=acc,
                          build_root=BUILD_ROOT, seed=seed, **kwargs)


@pytest.mark.parametrize("recurrent, mode, stall", [
    (False, "wrap", 0),
    (True, "saturate", 128),
])
def test_core_64_bit_exact(recurrent, mode, stall):
    config = CoreConfig(params=LIF, neurons=64, inputs=32, recurrent=recurrent,
                        acc_width=10, acc_overflow=mode)
    res = cosim(config, read_every_step=True, stall=stall)
    assert res.passed, res.first_mismatch
    assert res.events_out > 300 and res.events_in > 300  # spikes and events happened
    assert res.cycles > 100 * 64  # every timestep swept every neuron


def test_core_output_backpressure_loses_nothing():
    """A nearly always stalled output stream, the smallest FIFO and a network where most
    neurons fire: the sweep must pause, and no spike may be lost or repeated."""
    config = CoreConfig(params=LIF, neurons=64, inputs=16, recurrent=True, acc_width=10,
                        acc_overflow="saturate")
    weights, events, state, acc = random_network(config, 40, seed=4)
    weights = np.abs(weights).clip(max=127)  # excitatory: bursts of spikes

    def run(stall):
        return run_core_cosim(config, weights, events, 40, state=state, acc=acc,
                              build_root=BUILD_ROOT, stall=stall, fifo_depth=8)

    stalled, free = run(240), run(0)
    assert stalled.passed, stalled.first_mismatch
    assert free.passed and stalled.events_out > 600
    # ~16 clocks per taken event at 240/256 stall: far longer than the free-running sweep
    assert stalled.cycles > free.cycles + 4 * stalled.events_out


def test_pipelined_core_bit_exact_over_random_formats():
    """The pipelined LIF datapath in the core: the default preset with stalls and random
    formats (widths 8..32, both overflow and rounding modes)."""
    config = CoreConfig(params=LIF, neurons=64, inputs=32, recurrent=True, acc_width=10,
                        acc_overflow="saturate")
    res = cosim(config, read_every_step=True, stall=128, pipelined=True)
    assert res.passed, res.first_mismatch
    assert res.events_out > 300
    rng = np.random.default_rng(21)
    tried = 0
    while tried < 4:
        params = random_lif_params(rng)
        if params.width < 8:
            continue
        tried += 1
        config = CoreConfig(params=params, neurons=16, inputs=8, recurrent=True,
                            acc_overflow=("wrap", "saturate")[tried % 2])
        res = cosim(config, steps=40, seed=tried, read_every_step=True, pipelined=True)
        assert res.passed, (params, res.first_mismatch)


def test_pipelined_core_needs_a_registered_pipelined_datapath():
    config = CoreConfig(params=resolve_params("if"), neurons=16, inputs=4)
    with pytest.raises(ValueError, match="no pipelined datapath; models with one: lif, izh"):
        emit_core(config, pipelined=True)
    deep = LIFParams(width=32, frac=16, gain_k=0x55555555 - (1 << 31), leak_k=0x5555)
    with pytest.raises(ValueError, match="fifo_depth=8 is too small"):  # latency 6
        emit_core(dataclasses.replace(config, params=deep), pipelined=True, fifo_depth=8,
                  levels=1)


@pytest.mark.parametrize("pipelined", [False, True])
def test_core_other_model_odd_sizes_and_short_time_field(pipelined):
    """Izhikevich through the same core (its combinational datapath, and its pipelined
    one: latency 8); N and M not powers of two; 3-bit time."""
    izh = resolve_params("izhikevich")
    config = CoreConfig(params=izh, neurons=20, inputs=5, recurrent=True, weight_width=12,
                        acc_overflow="saturate", time_width=3)
    res = cosim(config, steps=60, seed=2, read_every_step=True, pipelined=pipelined)
    assert res.passed, res.first_mismatch
    assert res.events_out > 100


def _shift_bias_run(config, seed, **kwargs):
    weights, events, state, acc = random_network(config, 60, seed)
    rng = np.random.default_rng(seed)
    lo, hi = -(1 << (config.acc_width - 1)), (1 << (config.acc_width - 1)) - 1
    bias = rng.integers(lo // 8, hi // 8, config.neurons)
    bias[:4] = [lo, hi, 0, -1]
    golden = run_network(config, weights, events, 60, state=state, acc=acc, bias=bias)
    res = run_core_cosim(config, weights, events, 60, state=state, acc=acc, bias=bias,
                         build_root=BUILD_ROOT, seed=seed, read_every_step=True, **kwargs)
    return res, golden


@pytest.mark.parametrize("mode, shift, recurrent", [("saturate", 3, True), ("wrap", 5, False),
                                                    ("saturate", 0, True)])
def test_core_input_shift_and_bias_registers_bit_exact(mode, shift, recurrent):
    """``a_in = ovf((acc << input_shift) + bias)``: every output event, state word,
    accumulator and bias register read back after every timestep."""
    config = CoreConfig(params=LIF, neurons=32, inputs=16, recurrent=recurrent,
                        acc_width=14, acc_overflow=mode, input_shift=shift, bias=True)
    res, golden = _shift_bias_run(config, seed=shift)
    assert res.passed, res.first_mismatch
    assert res.events_out > 100 and golden.spikes.any(axis=0).sum() > 8
    plain = run_network(dataclasses.replace(config, input_shift=0, bias=False),
                        *random_network(config, 60, shift)[:2], 60)
    assert not np.array_equal(plain.spikes, golden.spikes)  # the shift and bias mattered


@pytest.mark.parametrize("mutant", ["shift", "overflow"])
def test_core_input_shift_and_bias_have_teeth(mutant):
    config = CoreConfig(params=LIF, neurons=32, inputs=16, recurrent=True, acc_width=14,
                        acc_overflow="saturate", input_shift=3, bias=True)
    bad = (dataclasses.replace(config, input_shift=2) if mutant == "shift"
           else dataclasses.replace(config, acc_overflow="wrap"))
    res, _ = _shift_bias_run(config, seed=3, verilog_text=emit_core(bad))
    assert not res.passed and res.mismatches > 0


def test_core_bias_values_need_bias_registers():
    config = CoreConfig(params=LIF, neurons=16, inputs=4)
    with pytest.raises(ValueError, match="without bias registers"):
        run_network(config, np.zeros((4, 16), int), [], 1, bias=np.zeros(16, int))
    with pytest.raises(ValueError, match="input_shift"):
        CoreConfig(params=LIF, neurons=16, inputs=4, input_shift=17)


@pytest.mark.parametrize("mutant", ["wrap_for_saturate", "fifo_overrun", "row_offset"])
def test_core_bench_has_teeth(mutant, monkeypatch):
    config = CoreConfig(params=LIF, neurons=64, inputs=32, recurrent=True, acc_width=10,
                        acc_overflow="saturate")
    if mutant == "wrap_for_saturate":
        text = emit_core(dataclasses.replace(config, acc_overflow="wrap"))
    elif mutant == "fifo_overrun":  # issues neurons although the FIFO may be full
        monkeypatch.setattr(core.NeuronCore, "_fifo_room", lambda self, m, fifo: 1)
        text = emit_core(config, fifo_depth=8)
    else:  # recurrent rows read one row too low
        bad = dataclasses.replace(config, inputs=31)
        text = _resize_weight_memory(emit_core(bad), config, bad)
    res = cosim(config, steps=60, seed=3, stall=200, verilog_text=text,
                fifo_depth=8 if mutant == "fifo_overrun" else 16)
    assert not res.passed and res.mismatches > 0
    assert res.first_mismatch


def _resize_weight_memory(text, good, bad):
    """Give a core built for ``bad`` the weight memory of ``good`` (same port widths)."""
    assert core_layout(good)["source_bits"] == core_layout(bad)["source_bits"]
    return text.replace(f"weight_mem [{bad.rows * bad.neurons - 1}:0]",
                        f"weight_mem [{good.rows * good.neurons - 1}:0]")


def test_core_verilog_lints_clean(tmp_path):
    config = CoreConfig(params=LIF, neurons=48, inputs=7, recurrent=True)
    path = tmp_path / "core.v"
    path.write_text(emit_core(config))
    assert lint(path, "neurocore_core", ("CASEINCOMPLETE",)) == []


def test_core_verilog_is_deterministic_and_has_no_weight_init():
    config = CoreConfig(params=LIF, neurons=1024, inputs=128)
    text = emit_core(config)
    assert text == emit_core(config)
    assert "weight_mem[0] =" not in text and len(text) < 200_000
    assert re.search(r"reg \[7:0\] weight_mem \[131071:0\]", text)


def test_ram_plan():
    big = CoreConfig(params=LIF, neurons=1024, inputs=128)
    plan = check_fits(big, "up5k")
    assert plan["spram"] == 4 and plan["memories"]["weights"] == ("spram", 4)
    assert plan["memories"]["state"] == ("ebr", 5)  # 1024 x 18 bits: 1024x4 blocks
    assert not ram_plan(big, "hx8k")["fits"]
    with pytest.raises(ValueError, match="does not fit up5k"):
        check_fits(dataclasses.replace(big, inputs=129), "up5k")
    with pytest.raises(ValueError, match="device"):
        ram_plan(big, "xc7")


def test_core_synthesizes_into_block_ram():
    from rtl_gen.synth import synthesize
    config = CoreConfig(params=LIF, neurons=16, inputs=8, recurrent=True)
    rep = synthesize(emit_core(config), "neurocore_core", "ice40")
    assert rep.latch == 0
    # memories became block RAM (tiny ones may go to logic: the plan is an upper bound)
    assert 0 < rep.bram <= ram_plan(config, "hx8k")["ebr"]


def test_cli_generate_core(tmp_path, capsys):
    out = tmp_path / "core.v"
    assert main(["core", "generate", "--model", "lif", "--neurons", "1024", "--inputs",
                 "128", "--device", "up5k", "-o", str(out)]) == 0
    assert "4/4 SPRAMs" in capsys.readouterr().out
    assert "module neurocore_core" in out.read_text()
    bad = tmp_path / "bad.v"
    assert main(["core", "generate", "--model", "lif", "--neurons", "1024", "--inputs",
                 "128", "--recurrent", "--device", "up5k", "-o", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "does not fit up5k" in err and "\n" not in err and not bad.exists()
    assert main(["core", "generate", "--neurons", "64", "--inputs", "4", "-o",
                 str(bad)]) == 2
    assert main(["core", "generate", "--model", "lif", "--neurons", "8", "--inputs", "4",
                 "-o", str(bad)]) == 2
    assert main(["generate", "lif", "--device", "up5k", "-o", str(bad)]) == 2


def test_cli_simulate_core_equals_golden(tmp_path, capsys):
    config = CoreConfig(params=LIF, neurons=32, inputs=8, recurrent=True)
    weights, events, state, acc = random_network(config, 20, seed=7)
    step = np.concatenate([np.full(len(e), k) for k, e in enumerate(events)])
    source = np.concatenate(events)
    net = tmp_path / "net.npz"
    np.savez(net, weights=weights, event_step=step, event_source=source, acc=acc,
             state_v=state.v, state_refrac=state.refrac)
    out = tmp_path / "out.npz"
    assert main(["core", "simulate", "--model", "lif", "--preset", "sc_lif_q8_8", "--param",
                 "gain_k=256", "--neurons", "32", "--inputs", "8", "--recurrent",
                 "--steps", "20", "--input", str(net), "--out", str(out)]) == 0
    expected = run_network(config, weights, events, 20, state=state, acc=acc)
    with np.load(out) as got:
        np.testing.assert_array_equal(got["aer"], expected.aer)
        np.testing.assert_array_equal(got["state_v"], expected.state.v)
        np.testing.assert_array_equal(got["acc"], expected.acc)
    np.savez(net, weights=weights, event_step=step)
    assert main(["core", "simulate", "--model", "lif", "--neurons", "32", "--inputs", "8",
                 "--recurrent", "--steps", "20", "--input", str(net), "--out",
                 str(tmp_path / "x.npz")]) == 2
    assert "event_source" in capsys.readouterr().err


def test_cli_cosim_core_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "neurocore_hw.cli", "core", "cosim",
                           "--model", "lif", "--param", "gain_k=256", "--neurons", "16",
                           "--inputs", "4", "--steps", "20"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "PASS" in proc.stdout


def test_golden_drops_and_counts_events_that_name_no_input():
    """invalid="drop": events with sources past ``inputs`` (within the AER port) change
    nothing but the count, which saturates; "raise" (the default) refuses them, and a
    source past the port is refused either way."""
    from neurocore_hw.network import DROPPED_MAX

    config = CoreConfig(params=LIF, neurons=16, inputs=20, acc_width=12)
    assert config.source_bits == 5
    weights, events, _, _ = random_network(config, 30, seed=2)
    rng = np.random.default_rng(2)
    noisy = [np.insert(e, rng.integers(0, len(e) + 1, 3), rng.integers(20, 32, 3))
             for e in events]
    clean = run_network(config, weights, events, 30)
    dropped = run_network(config, weights, noisy, 30, invalid="drop")
    assert np.array_equal(dropped.aer, clean.aer) and np.array_equal(dropped.acc, clean.acc)
    assert dropped.dropped == 90 and clean.dropped == 0
    with pytest.raises(ValueError, match=r"sources must be integers in 0\.\.19"):
        run_network(config, weights, noisy, 30)
    with pytest.raises(ValueError, match=r"0\.\.31"):
        run_network(config, weights, [[32]], 1, invalid="drop")
    many = run_network(config, weights, [np.full(70_000, 25)], 1, invalid="drop",
                       dropped=5)
    assert many.dropped == DROPPED_MAX


def test_core_counts_dropped_events_readable_over_the_bus(monkeypatch):
    """Verilator: a stream with events naming no input (sources 20..31 of a 20-input
    core), gaps and stalls. The core drops them without touching the network (every
    output event and register equal to the golden model's) and its status register,
    read over the bus, holds the count. Teeth: a count short by one per timestep fails."""
    from rtl_gen.verify import core as verify_core

    config = CoreConfig(params=LIF, neurons=16, inputs=20, recurrent=True, acc_width=12,
                        acc_overflow="saturate")
    weights, events, state, acc = random_network(config, 25, seed=6)
    rng = np.random.default_rng(6)
    noisy = [np.insert(e, rng.integers(0, len(e) + 1, 2), rng.integers(20, 32, 2))
             for e in events]

    def run():
        return run_core_cosim(config, weights, noisy, 25, state=state, acc=acc,
                              build_root=BUILD_ROOT, stall=96, invalid="drop")

    res = run()
    assert res.passed, res.first_mismatch
    assert res.events_in == 25 * 2 + sum(map(len, events))
    real = verify_core.run_network

    def one_fewer(*args, **kwargs):
        out = real(*args, **kwargs)
        return out._replace(dropped=max(0, out.dropped - 1))

    monkeypatch.setattr(verify_core, "run_network", one_fewer)
    assert not run().passed


def test_core_ignores_the_bus_outside_idle():
    """Verilator: a random bus write (any region, the status register too) and a read
    while every timestep runs are ignored: bit-exact, no extra read word. The control --
    the same intrusions right after each timestep, in IDLE -- lands and fails the run, so
    the check sees a taken one."""
    config = CoreConfig(params=LIF, neurons=16, inputs=20, recurrent=True, acc_width=12,
                        acc_overflow="saturate", bias=True)
    weights, events, state, acc = random_network(config, 20, seed=8)

    def run(intrusions):
        return run_core_cosim(config, weights, events, 20, state=state, acc=acc,
                              build_root=BUILD_ROOT, stall=64, seed=8,
                              read_every_step=True, intrusions=intrusions)

    busy = run("busy")
    assert busy.passed, busy.first_mismatch
    idle = run("idle")
    assert not idle.passed
    with pytest.raises(ValueError, match="intrusions must be"):
        run("always")


@pytest.mark.parametrize("reset_at", [0, 7])
def test_core_reset_mid_timestep_then_reload_runs_bit_exact(reset_at, monkeypatch):
    """Verilator: a reset in the middle of a timestep's sweep (its events added, part of
    the neurons swept, the output held) returns the core to IDLE with its timestep and
    dropped counters at 0 and its FIFO empty, and keeps the weights: after the host
    reloads state, accumulators and bias the run continues bit-exact (every output event
    and register, the status register), with events naming no input, gaps and stalls.
    Teeth: without the reload (the state memory keeps the aborted sweep's words) it
    fails."""
    from rtl_gen.verify.core import CoreProgram

    config = CoreConfig(params=LIF, neurons=16, inputs=20, recurrent=True, acc_width=12,
                        acc_overflow="saturate", bias=True)
    weights, events, state, acc = random_network(config, 16, seed=9)
    events[reset_at] = np.append(events[reset_at], [25])  # counted, then reset
    events[reset_at + 2] = np.append(events[reset_at + 2], [21, 30])

    def run():
        return run_core_cosim(config, weights, events, 16, state=state, acc=acc,
                              build_root=BUILD_ROOT, stall=64, seed=9, read_every_step=True,
                              reset_at=reset_at, invalid="drop")

    res = run()
    assert res.passed, res.first_mismatch
    assert res.events_out > 0
    real, calls = CoreProgram.write_state, []

    def first_load_only(self, state, acc):
        calls.append(1)
        if len(calls) == 1:
            real(self, state, acc)

    monkeypatch.setattr(CoreProgram, "write_state", first_load_only)
    assert not run().passed
    with pytest.raises(ValueError, match="reset_at must be in 0..14"):
        run_core_cosim(config, weights, events, 16, reset_at=15)


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_core_faults_randomized(seed):
    """Verilator, randomized: a random LIF format and core shape (neurons, inputs with
    spare source codes, recurrence, overflow mode, bias registers, combinational or
    pipelined datapath), a stream with events naming no input, gaps, a random output
    stall, bus intrusions while busy and a reset in the middle of a random timestep.
    Bit-exact on every output event and register after every timestep: nothing valid is
    lost or repeated, nothing invalid is taken."""
    rng = np.random.default_rng(seed)
    params = random_lif_params(rng)
    while params.width < 8:
        params = random_lif_params(rng)
    config = CoreConfig(params=params, neurons=int(rng.integers(16, 40)),
                        inputs=int(rng.choice([5, 12, 20, 33])),
                        recurrent=bool(rng.random() < 0.7),
                        acc_overflow=str(rng.choice(["wrap", "saturate"])),
                        bias=bool(rng.random() < 0.5))
    steps = 30
    weights, events, state, acc = random_network(config, steps, seed)
    top = 1 << config.source_bits
    events = [np.insert(e, rng.integers(0, len(e) + 1, k), rng.integers(config.inputs, top, k))
              for e, k in zip(events, rng.poisson(0.7, steps))]
    bias = (rng.integers(-(1 << (config.acc_width - 2)), 1 << (config.acc_width - 2),
                         config.neurons) if config.bias else None)
    res = run_core_cosim(config, weights, events, steps, state=state, acc=acc, bias=bias,
                         build_root=BUILD_ROOT, stall=int(rng.integers(0, 200)), seed=seed,
                         read_every_step=True, invalid="drop", intrusions="busy",
                         reset_at=int(rng.integers(0, steps - 1)),
                         pipelined=bool(rng.random() < 0.5))
    assert res.passed, (config, res.first_mismatch)
