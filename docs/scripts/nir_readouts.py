"""What the readout mappings keep: NIR CubaLI (cuba_lif, reset none), I (li, leak 0) and
Threshold (lif, leak 1) against the float64 reference, per weight width.

Two synthetic graphs (the ones of tests/test_nir.py): 8 inputs -> 20 recurrent CubaLIF ->
4 CubaLI, and 8 inputs -> 20 Threshold -> 4 I; weights multiples of 1/16, 200 Poisson
samples (rate 2-20 %), T = 256, dt = 1e-4 s. Prints, per graph and weight width, the
readout's largest and RMS error relative to the reference's largest |v|, the same for the
readout alone (the float readout driven by the bit-true hidden layer's spikes, so only the
readout's own quantization counts), the hidden layer's spike entries equal to the
reference, and the real range the readout's register holds (24-bit state below 12-bit
weights, 32-bit from 12 on).

    .venv/bin/python docs/scripts/nir_readouts.py
"""

from __future__ import annotations

import nir
import numpy as np

from neurocore_hw.layered import run_layered
from neurocore_hw.nir import quantize_network, simulate_float
from neurocore_hw.nir.graph import spec_from_graph
from neurocore_hw.nir.reference import _step


def graph(kind: str, seed: int = 4) -> nir.NIRGraph:
    """The test graphs: a CubaLIF or Threshold hidden layer and a CubaLI or I readout."""
    rng = np.random.default_rng(seed)
    w1 = rng.integers(-127, 128, (20, 8)) / 16
    w2 = rng.integers(-127, 128, (4, 20)) / 16
    nodes = {"input": nir.Input(np.array([8])), "fc1": nir.Linear(w1)}
    edges = [("input", "fc1"), ("fc1", "h")]
    if kind == "cuba":
        nodes["h"] = nir.CubaLIF(tau_syn=np.full(20, 5e-4), tau_mem=np.full(20, 1e-3),
                                 r=np.ones(20), v_leak=np.zeros(20), w_in=np.ones(20),
                                 v_threshold=np.full(20, 0.4), v_reset=np.zeros(20))
        nodes["rec"] = nir.Linear(rng.integers(-127, 128, (20, 20)) / 16)
        nodes["ro"] = nir.CubaLI(tau_syn=np.full(4, 5e-4), tau_mem=np.full(4, 2e-3),
                                 r=np.ones(4), v_leak=np.zeros(4), w_in=np.ones(4))
        edges += [("h", "rec"), ("rec", "h")]
    else:
        nodes["h"] = nir.Threshold(threshold=np.full(20, 0.3))
        nodes["ro"] = nir.I(r=np.full(4, 100.0))
    nodes["fc2"] = nir.Linear(w2)
    nodes["output"] = nir.Output(np.array([4]))
    edges += [("h", "fc2"), ("fc2", "ro"), ("ro", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def float_readout(layer, spikes: np.ndarray, dt: float) -> np.ndarray:
    """The readout layer's float64 Euler run on given hidden spikes ``[T, B, n]``."""
    state = {"i": np.zeros(spikes.shape[1:2] + (layer.size,)),
             "v": np.zeros(spikes.shape[1:2] + (layer.size,))}
    out = np.empty(spikes.shape[:2] + (layer.size,))
    for t in range(spikes.shape[0]):
        out[t] = _step(layer, state, spikes[t] @ layer.weight.T + layer.bias, dt, "zero")
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    rates = rng.uniform(0.02, 0.2, (1, 200, 8))
    x = (rng.random((256, 200, 8)) < rates).astype(np.uint8)
    print("| graph | weight bits | state bits | readout max error | readout RMS error | "
          "readout alone: max error | RMS | hidden spikes equal | readout range |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, label in (("cuba", "CubaLIF -> CubaLI"), ("threshold", "Threshold -> I")):
        spec = spec_from_graph(graph(kind))
        ref = simulate_float(spec, x, dt=1e-4)
        top = np.abs(ref["output"]).max()
        for width in (4, 6, 8, 12, 16):
            bits = 32 if width >= 12 else 24
            net = quantize_network(spec, dt=1e-4, weight_width=width, state_width=bits)
            out = run_layered(net, x)
            got = out["output"] / net.meta["layers"][-1]["readout_scale"]
            err = np.abs(got - ref["output"])
            hidden = (out["h"] == ref["h"].astype(bool)).mean()
            alone = np.abs(got - float_readout(spec.layers[-1],
                                               out["h"].astype(np.float64), 1e-4))
            ro = net.layers[-1].params
            held = ((1 << (ro.state_ports()[-1].width - 1)) - 1) / net.meta["layers"][-1][
                "readout_scale"]
            print(f"| {label} | {width} | {bits} | {err.max() / top:.4f} | "
                  f"{np.sqrt((err ** 2).mean()) / top:.5f} | {alone.max() / top:.4f} | "
                  f"{np.sqrt((alone ** 2).mean()) / top:.5f} | {hidden:.4f} | "
                  f"+-{held:.3g} (reference +-{top:.3g}) |")


if __name__ == "__main__":
    main()
