"""The digits task end to end: snnTorch-trained recurrent CubaLIF (``digits_train.py``)
-> NIR -> float reference -> bit-true fixed point -> population cores under Verilator.

Run: ``.venv/bin/python docs/scripts/digits_eval.py [--rtl-samples 50]``. Reads
``docs/data/digits_rcuba.nir``, ``digits_test.npz`` (360 test samples, T = 32) and
``digits_snntorch.json``; prints Markdown: test accuracy of snnTorch, of the float64
reference (dt = 1e-4, reset by subtraction as trained), of the bit-true network at
weight widths 16/8/6/4/2 (and of the core-ready network: no shift, the bias a weight
row), and the RTL check: the first K test samples through the chain of cores
(:class:`rtl_gen.chain.CoreChain`) under Verilator, compared with the golden model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from neurocore_hw.layered import run_layered
from neurocore_hw.nir import load_graph, quantize_network, simulate_float

__all__ = ["main"]

DATA = Path(__file__).resolve().parents[1] / "data"


def accuracy(out: np.ndarray, labels: np.ndarray) -> float:
    return float((out.sum(axis=0).argmax(axis=-1) == labels).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtl-samples", type=int, default=50)
    args = parser.parse_args()
    spec = load_graph(DATA / "digits_rcuba.nir")
    with np.load(DATA / "digits_test.npz") as data:
        x, labels = data["input"], data["label"]
    trained = json.loads((DATA / "digits_snntorch.json").read_text())
    ref = simulate_float(spec, x, dt=1e-4, reset="subtract")["output"]
    print("| model | weights | test accuracy | decisions equal to float |")
    print("|---|---|---|---|")
    print(f"| snnTorch {trained['snntorch']} (training run) | float32 | "
          f"{trained['test_accuracy']:.4f} | - |")
    print(f"| float64 reference | float64 | {accuracy(ref, labels):.4f} | 1.000 |")
    want = ref.sum(0).argmax(-1)
    for bits, state, shift in ((16, 32, 16), (8, 24, 16), (8, 24, 0), (6, 24, 16),
                               (4, 24, 16), (2, 24, 16)):
        net = quantize_network(spec, dt=1e-4, reset="subtract", weight_width=bits,
                               state_width=state, max_shift=shift)
        out = run_layered(net, x)["output"]
        label = f"{bits}-bit, {state}-bit state" + (", core-ready" if shift == 0 else "")
        print(f"| bit-true | {label} | {accuracy(out, labels):.4f} | "
              f"{(out.sum(0).argmax(-1) == want).mean():.3f} |")
    from rtl_gen.verify.layered import run_chain_cosim

    net = quantize_network(spec, dt=1e-4, reset="subtract", weight_width=8, max_shift=0)
    golden = run_layered(net, x[:, :args.rtl_samples])["output"].sum(0).argmax(-1)
    exact = 0
    for b in range(args.rtl_samples):
        # the chain's output events are compared with the golden chain's, which equals
        # run_layered: a bit-exact sample has the golden model's prediction
        exact += run_chain_cosim(net, x[:, b]).passed
    print(f"\nRTL: {args.rtl_samples} test samples through the chain of cores (8-bit, "
          f"core-ready) under Verilator: {exact}/{args.rtl_samples} bit-exact (every output "
          f"event and every core's final state), hence that many predictions identical to "
          f"the golden model's; golden accuracy on them "
          f"{(golden == labels[:args.rtl_samples]).mean():.4f}.")


if __name__ == "__main__":
    main()
