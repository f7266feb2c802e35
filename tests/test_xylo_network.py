"""The Xylo network (neurocore_hw.xylo_network): XyloSim's synapse semantics -- per-event
saturating adds in channel order, spike counts, the one-step delay to recurrent and output
synapses. Against XyloSim itself: docs/scripts/xylo_conformance.py (make conformance)."""

import numpy as np
import pytest

from neurocore_hw.models.xylo import XyloParams
from neurocore_hw.xylo_network import XyloNetwork

HIDDEN = XyloParams(dash_syn=15, dash_mem=15, v_threshold=32767)
OUTPUT = XyloParams(dash_syn=15, dash_mem=15, v_threshold=100, max_spikes=1)


def _net(w_in, w_rec=None, w_out=None, **kw):
    n = np.asarray(w_in).shape[1]
    return XyloNetwork(w_in=np.asarray(w_in),
                       w_rec=np.zeros((n, n), int) if w_rec is None else np.asarray(w_rec),
                       w_out=np.zeros((n, 1), int) if w_out is None else np.asarray(w_out),
                       hidden=kw.pop("hidden", HIDDEN), output=kw.pop("output", OUTPUT), **kw)


def test_events_saturate_one_by_one_in_channel_order():
    """15 events of +127 << 8 rail the current at 32767; then 2 events of -128 << 8 take it
    to -1 and to the negative rail -32768 (one saturating add of the sum would stay at
    32767); the decay by 1 LSB follows. Swapping the channels gives the other rail."""
    net = _net([[127], [-128]], shift_in=8)
    run = net.run(np.array([[[15, 2]]]), record=True)
    assert run.traces["hidden_syn"][0, 0, 0] == -32768 + 1
    swapped = _net([[-128], [127]], shift_in=8)
    run = swapped.run(np.array([[[2, 15]]]), record=True)
    assert run.traces["hidden_syn"][0, 0, 0] == 32767 - 1


def test_counts_above_15_are_clipped_and_spikes_arrive_a_step_later():
    """An input count of 40 acts as 15; a hidden neuron that fires k times sends k events
    to the output neuron in the NEXT step."""
    hidden = XyloParams(dash_syn=15, dash_mem=15, v_threshold=100)
    net = _net([[10]], w_out=[[7]], hidden=hidden, shift_in=0, shift_out=0)
    clipped = net.run(np.array([[[40]], [[0]], [[0]]]), record=True)
    fifteen = net.run(np.array([[[15]], [[0]], [[0]]]), record=True)
    for k in clipped.traces:
        assert np.array_equal(clipped.traces[k], fifteen.traces[k])
    # step 0: syn = 150 - decay 1 = 149, v = 149: one spike (v -> 49); outputs silent
    assert clipped.hidden[:, 0, 0].tolist()[0] == 1
    assert clipped.traces["output_syn"][0, 0, 0] == 0
    assert clipped.traces["output_syn"][1, 0, 0] == 7 * clipped.hidden[0, 0, 0] - 1


def test_a_recurrent_spike_count_multiplies_its_weight():
    """A hidden neuron that fires 3 times in step 0 adds 3 x (w_rec << shift) to its
    target's current in step 1."""
    hidden = XyloParams(dash_syn=15, dash_mem=15, v_threshold=50)
    net = _net([[1, 0]], w_rec=[[0, 5], [0, 0]], hidden=hidden, shift_in=7, shift_rec=2)
    run = net.run(np.array([[[1]], [[0]]]), record=True)
    first = run.hidden[0, 0, 0]
    assert first == min(31, (128 - 1) // 50)
    assert run.traces["hidden_syn"][1, 0, 1] == first * (5 << 2) - 1


@pytest.mark.parametrize("change, message", [
    (dict(w_in=np.array([[128]])), "int8"),
    (dict(shift_in=9), "shift_in"),
    (dict(output=XyloParams()), "once"),
    (dict(hidden=XyloParams(max_spikes=1)), "31"),
    (dict(hidden=XyloParams(width=12, v_threshold=100)), "16 bits"),
])
def test_networks_xylo_cannot_hold_are_refused(change, message):
    kw = dict(w_in=np.array([[1]]), w_rec=np.zeros((1, 1), int), w_out=np.zeros((1, 1), int),
              hidden=HIDDEN, output=OUTPUT)
    kw.update(change)
    with pytest.raises((ValueError, TypeError), match=message):
        XyloNetwork(**kw)


def test_bad_input_is_refused():
    net = _net([[1]])
    with pytest.raises(ValueError, match="non-negative"):
        net.run(np.array([[[-1]]]))
    with pytest.raises(ValueError, match="shape"):
        net.run(np.zeros((3, 1, 2), int))


def test_the_braille_graph_quantizes_onto_xylo():
    """noBias_subtract: decays to the nearest powers of two (hidden 0.75 / 0.85 -> dash 2
    and 3, output 0.45 / 0.70 -> 1 and 2), every int8 weight within half an LSB of the
    graph's weight times the scale; the bias graph and a wrong shape are refused."""
    from conftest import REPO

    from neurocore_hw.nir import NIRError, load_graph
    from neurocore_hw.nir.xylo import quantize_xylo

    shared = REPO.parent / "shared" / "nir"
    spec = load_graph(shared / "braille_noDelay_noBias_subtract.nir")
    net, report = quantize_xylo(spec, dt=1e-4, threshold=1024)
    assert (net.hidden.dash_syn, net.hidden.dash_mem) == (2, 3)
    assert (net.output.dash_syn, net.output.dash_mem) == (1, 2)
    assert net.shape == (12, 40, 7) and net.hidden.v_threshold == 1024
    hid = spec.layers[0]
    p = hid.params
    gain = (1e-4 / p["tau_mem"][0]) * p["r"][0] / 0.75  # a w_in = 1 for this export
    for w8, shift, w in ((net.w_in, net.shift_in, hid.weight),
                         (net.w_rec, net.shift_rec, hid.rec_weight)):
        exact = w.T * gain * 1024 / (1 << shift)
        assert np.abs(w8 - exact).max() <= 0.5 + 1e-9
        assert np.abs(w8).max() >= 64  # the shift is the smallest that fits
    assert report["in weights"]["clipped"] == 0.0
    with pytest.raises(NIRError, match="bias"):
        quantize_xylo(load_graph(shared / "braille_noDelay_bias_zero.nir"), dt=1e-4)
    with pytest.raises(NIRError, match="Xylo takes"):
        quantize_xylo(load_graph(shared / "lif_norse.nir"), dt=1e-4)
