"""AER-style inputs and outputs of ``simulate`` and ``core simulate``: events are the same
input as the dense arrays they stand for."""

import dataclasses

import numpy as np
import pytest

from neurocore_hw.cli import main
from neurocore_hw.engine import run
from neurocore_hw.models import lif
from neurocore_hw.network import CoreConfig, run_network

LIF = lif.PRESETS["sc_lif_q8_8"]


def test_unit_event_input_equals_its_dense_array_and_events_out(tmp_path):
    """Random (step, neuron, value) events, repeats included (they add up), against the
    dense array built by hand; --out-events writes the spikes as (step, neuron) rows."""
    rng = np.random.default_rng(3)
    steps, neurons = 300, 10
    ev = np.stack([rng.integers(0, steps, 2000), rng.integers(0, neurons, 2000),
                   rng.integers(0, 6000, 2000)], axis=1)
    dense = np.zeros((steps, neurons), np.int64)
    for s, n, v in ev:
        dense[s, n] += v
    assert dense.max() > 6000  # some events coincide
    np.savez(tmp_path / "ev.npz", i_in_events=ev)
    out = tmp_path / "out.npz"
    assert main(["simulate", "lif", "--input", str(tmp_path / "ev.npz"), "--steps",
                 str(steps), "--neurons", str(neurons), "--out", str(out),
                 "--out-events"]) == 0
    want = run(LIF, {"i_in": dense}, record=True)
    with np.load(out) as got:
        assert "spike" not in got.files
        np.testing.assert_array_equal(got["v"], want.traces["v"])
        step, neuron = np.nonzero(want.spikes)
        np.testing.assert_array_equal(got["spike_events"], np.stack([step, neuron], axis=1))
        assert len(step) > 50
    spikes = tmp_path / "sp.npz"  # value-less events are 1 each
    np.savez(spikes, i_in_events=ev[:, :2])
    assert main(["simulate", "lif", "--input", str(spikes), "--steps", str(steps),
                 "--neurons", str(neurons), "--out", str(out)]) == 0


@pytest.mark.parametrize("arrays, args, match", [
    ({"i_in_events": [[0, 1, 5]]}, [], "give --steps T and --neurons N"),
    ({"i_in_events": [[0, 9, 5]]}, ["--steps", "4", "--neurons", "2"], "row 0: event (0, 9)"),
    ({"i_in_events": [[0, 1, 5]], "i_in": np.zeros((4, 2), np.int64)},
     ["--steps", "4", "--neurons", "2"], "both dense"),
    ({"bogus_events": [[0, 1]]}, ["--steps", "4", "--neurons", "2"], "names no input port"),
    ({"i_in_events": [[0.5, 1]]}, ["--steps", "4", "--neurons", "2"], "integer rows"),
    ({"i_in_events": [[0, 1]]}, ["--steps", "0", "--neurons", "2"], "--steps must be"),
])
def test_bad_event_inputs_are_one_line(tmp_path, capsys, arrays, args, match):
    path, out = tmp_path / "ev.npz", tmp_path / "out.npz"
    np.savez(path, **{k: np.asarray(v) for k, v in arrays.items()})
    assert main(["simulate", "lif", "--input", str(path), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert match in err and err.count("\n") == 1 and not out.exists()


def test_core_takes_dense_input_spikes_like_events(tmp_path, capsys):
    config = CoreConfig(params=dataclasses.replace(LIF, gain_k=256), neurons=16, inputs=6)
    rng = np.random.default_rng(4)
    weights = rng.integers(-128, 128, (6, 16))
    dense = (rng.random((40, 6)) < 0.3).astype(np.uint8)
    step, source = np.nonzero(dense)
    base = ["core", "simulate", "--model", "lif", "--param", "gain_k=256", "--neurons", "16",
            "--inputs", "6"]
    np.savez(tmp_path / "dense.npz", weights=weights, input_spikes=dense)
    np.savez(tmp_path / "ev.npz", weights=weights, event_step=step, event_source=source)
    assert main([*base, "--input", str(tmp_path / "dense.npz"), "--out",
                 str(tmp_path / "a.npz")]) == 0
    assert main([*base, "--steps", "40", "--input", str(tmp_path / "ev.npz"), "--out",
                 str(tmp_path / "b.npz")]) == 0
    events = [np.flatnonzero(row) for row in dense]
    want = run_network(config, weights, events, 40)
    with np.load(tmp_path / "a.npz") as a, np.load(tmp_path / "b.npz") as b:
        np.testing.assert_array_equal(a["aer"], want.aer)
        np.testing.assert_array_equal(a["spikes"], b["spikes"])
    assert len(want.aer) > 0
    capsys.readouterr()
    np.savez(tmp_path / "bad.npz", weights=weights, input_spikes=dense * 2)
    assert main([*base, "--input", str(tmp_path / "bad.npz"), "--out",
                 str(tmp_path / "c.npz")]) == 2
    assert "0/1" in capsys.readouterr().err
    assert main([*base, "--steps", "7", "--input", str(tmp_path / "dense.npz"), "--out",
                 str(tmp_path / "c.npz")]) == 2
    assert "40 steps" in capsys.readouterr().err and not (tmp_path / "c.npz").exists()
