"""The Xylo IAF neuron (neurocore_hw.models.xylo): XyloSim's arithmetic, checked against
values XyloSim printed (the measurements in issue 20, Rockpool 3.1 / xylosim 0.1.3), and
the corners where it differs from shift_lif."""

import numpy as np
import pytest

from neurocore_hw.models import shift_lif, xylo
from neurocore_hw.models.xylo import XyloParams, XyloState, step


def _run(params, inputs):
    state = XyloState(*(np.zeros(1, np.int64) for _ in range(3)))
    rows = []
    for i in inputs:
        state, spike = step(params, state, i_in=np.array([i]))
        rows.append((int(state.syn[0]), int(state.v[0]), int(state.count[0]), bool(spike[0])))
    return rows


def test_order_matches_xylosim_where_shift_lif_differs():
    """dash_syn 2, dash_mem 4, threshold 4096, input [100, 0, 0, 0]: XyloSim gave Isyn
    [75, 57, 43, 33] and Vmem [75, 128, 163, 186] (the current is decayed before it drives
    the membrane); shift_lif gives the membrane the undecayed current."""
    rows = _run(XyloParams(dash_syn=2, dash_mem=4, v_threshold=4096), [100, 0, 0, 0])
    assert [r[0] for r in rows] == [75, 57, 43, 33]
    assert [r[1] for r in rows] == [75, 128, 163, 186]
    p = shift_lif.ShiftLIFParams(dash_syn=2, dash_mem=4, v_threshold=4096)
    st = shift_lif.ShiftLIFState(np.zeros(1, np.int64), np.zeros(1, np.int64))
    st, _ = shift_lif.step(p, st, i_in=np.array([100]))
    assert int(st.v[0]) == 100  # not XyloSim's 75


def test_a_hidden_neuron_spikes_many_times_per_step():
    """Threshold 100, input [1000, 0] with slow decays: XyloSim gave spike counts [9, 10]
    and Vmem [99, 96]; an output neuron (max_spikes 1) fires once and keeps the rest."""
    hidden = _run(XyloParams(dash_syn=15, dash_mem=15, v_threshold=100), [1000, 0])
    assert [r[2] for r in hidden] == [9, 10] and [r[1] for r in hidden] == [99, 96]
    out = _run(XyloParams(dash_syn=15, dash_mem=15, v_threshold=100, max_spikes=1),
               [1000, 0])
    assert [r[2] for r in out] == [1, 1] and out[0][1] == 999 - 100


def test_no_membrane_memory_without_synaptic_memory():
    """With dash_syn 0 the current decays to 0 before it reaches the membrane: XyloSim's
    membrane never moves."""
    rows = _run(XyloParams(dash_syn=0, dash_mem=4, v_threshold=10), [5000, -3000, 7])
    assert all(r[:3] == (0, 0, 0) for r in rows)


def test_corners_two_saturations_and_the_wrap_of_the_decay():
    """The membrane increment saturates before the add (a 16-bit dv); with dash_mem 0 the
    negated decay of v = -2**15 wraps, so the neuron stays at -2**15 (XyloSim does)."""
    p = XyloParams(dash_syn=15, dash_mem=1, v_threshold=20000)
    state = XyloState(np.array([32000]), np.array([-32768]), np.array([0]))
    new, _ = step(p, state, i_in=np.array([0]))
    # syn 31999; dv = sat(16384 + 31999) = 32767, v = -32768 + 32767 (one saturation of
    # the sum alone would give 15615)
    assert int(new.syn[0]) == 31999 and int(new.v[0]) == -1
    p0 = XyloParams(dash_syn=2, dash_mem=0, v_threshold=100, bias=-1)
    state = XyloState(np.array([-20000]), np.array([-32768]), np.array([0]))
    for _ in range(5):
        state, _ = step(p0, state, i_in=np.array([0]))
        assert int(state.v[0]) == -32768 and int(state.syn[0]) > -20000


@pytest.mark.parametrize("bad", [dict(v_threshold=0), dict(max_spikes=32),
                                 dict(bias=1 << 15), dict(dash_syn=16)])
def test_parameters_outside_the_chip_are_refused(bad):
    with pytest.raises(ValueError):
        XyloParams(**bad)


def test_reference_follows_the_same_order_without_rounding():
    """The float reference decays the current after the input, like the integer step:
    below threshold the membranes agree within the floor decays' drift (a few percent),
    and above it the spike counts within 10 %."""
    rng = np.random.default_rng(3)
    drive = rng.integers(0, 60, size=(400, 8))
    for p, check in [(XyloParams(dash_syn=3, dash_mem=6, v_threshold=32767), "v"),
                     (xylo.PRESETS["bias"], "spikes")]:
        spikes, v = xylo.reference(p, drive)
        state = XyloState(*(np.zeros(8, np.int64) for _ in range(3)))
        got_v, counts = [], np.zeros(8, np.int64)
        for row in drive:
            state, _ = step(p, state, i_in=row)
            got_v.append(state.v.copy())
            counts += state.count
        if check == "v":
            assert spikes.sum() == 0 and counts.sum() == 0
            assert np.abs(np.array(got_v) - v).max() < 0.05 * np.abs(v).max()
        else:
            assert spikes.sum() > 100
            assert np.abs(counts - spikes.sum(axis=0)).max() <= 0.1 * spikes.sum(axis=0).max()
