"""NIR graphs through neurocore-hw: what fixed point keeps, and how fast it runs.

Run: ``.venv/bin/python docs/scripts/nir_study.py [--samples 1000]``. Prints Markdown:

1. Braille graphs (``../shared/nir``): on random Poisson inputs (per sample and channel a
   rate uniform in 2-20 %, T = 256), the fraction of samples where the class with the
   most output spikes of the bit-true network equals the float64 reference's, per weight
   width and state width; beside it the agreement of the bit-true network with a float
   network running the same rounded weights (what the integer arithmetic alone costs);
   then the same decisions for the two forms a chain of cores runs (no shift, or the
   default shift on the cores' input shift and bias registers).
2. ``lif_norse.nir`` driven by the input column of ``lif_platforms/lif_exact.csv``: our
   float and bit-true output spike steps against the exact solution and each platform's.
3. With the peers' environment (``make peers``: ``build/peers/torch``): the float64
   reference against Norse 1.1 (``norse.torch.from_nir(graph, dt=1e-4)``, float32) on the
   same inputs, output spike entries and decisions equal; and the same with the
   recurrent synapses left out of the first step, as nirtorch's executor does.
4. Speed, one thread, 3 interleaved rounds: the bit-true batched network, the float
   reference and Norse over the samples x 256 steps; per-round ratios.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from neurocore_hw.layered import core_layers, run_layered
from neurocore_hw.nir import load_graph, quantize_network, simulate_float

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "nir"
PEER = ROOT / "build" / "peers" / "torch" / "bin" / "python"
GRAPHS = (("braille_noDelay_bias_zero", "zero"), ("braille_noDelay_noBias_subtract",
                                                  "subtract"))


def poisson(samples: int, seed: int = 0, steps: int = 256) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.02, 0.2, (1, samples, 12))
    return (rng.random((steps, samples, 12)) < rates).astype(np.uint8)


def decision(out: np.ndarray) -> np.ndarray:
    return out.sum(axis=0).argmax(axis=-1)


def braille(samples: int) -> None:
    x = poisson(samples)
    print("| graph | weight bits | state bits | agreement with float | with float on the same "
          "rounded weights | hidden spike entries equal |")
    print("|---|---|---|---|---|---|")
    for name, reset in GRAPHS:
        spec = load_graph(SHARED / f"{name}.nir")
        ref = simulate_float(spec, x, dt=1e-4, reset=reset)
        want = decision(ref["output"])
        for bits, state in ((16, 32), (16, 24), (12, 24), (10, 24), (8, 24), (6, 24),
                            (4, 24), (2, 24)):
            if True:
                net = quantize_network(spec, dt=1e-4, reset=reset, weight_width=bits,
                                       state_width=state)
                out = run_layered(net, x)
                got = decision(out["output"])
                rounded = dataclasses.replace(spec, layers=[
                    dataclasses.replace(
                        layer, weight=q.weight / rep["weight_scale"],
                        rec_weight=None if q.rec_weight is None
                        else q.rec_weight / rep["weight_scale"])
                    for layer, q, rep in zip(spec.layers, net.layers, net.meta["layers"])])
                same = decision(simulate_float(rounded, x, dt=1e-4, reset=reset)["output"])
                hidden = spec.layers[0].name
                equal = (out[hidden] == ref[hidden].astype(bool)).mean()
                print(f"| {name} | {bits} | {state} | {(got == want).mean():.3f} | "
                      f"{(got == same).mean():.3f} | {equal:.4f} |")


def core_forms(samples: int) -> None:
    """Decisions equal to float of the two forms a chain of cores can run: no shift (the
    bias a weight row) and the default shift (the cores' input shift and bias registers)."""
    x = poisson(samples)
    print("\n| graph | weight bits | no shift (the bias a weight row) | default shift "
          "(bias registers) |")
    print("|---|---|---|---|")
    for name, reset in GRAPHS:
        spec = load_graph(SHARED / f"{name}.nir")
        ref = decision(simulate_float(spec, x, dt=1e-4, reset=reset)["output"])
        for bits in (8, 12):
            agree = []
            for max_shift in (0, 16):
                net = quantize_network(spec, dt=1e-4, reset=reset, weight_width=bits,
                                       max_shift=max_shift)
                core_layers(net)  # both forms run on the chain
                agree.append((decision(run_layered(net, x)["output"]) == ref).mean())
            print(f"| {name} | {bits} | {agree[0]:.3f} | {agree[1]:.3f} |")


def platforms() -> None:
    spec = load_graph(SHARED / "lif_norse.nir")
    folder = SHARED / "lif_platforms"
    exact = np.loadtxt(folder / "lif_exact.csv", delimiter=",")
    x = exact[:, :1].astype(np.uint8)
    ours = {
        "neurocore-hw float64": simulate_float(spec, x, dt=1e-4)["output"][:, 0, 0] > 0,
        "neurocore-hw bit-true (8-bit weights, Q16)": run_layered(
            quantize_network(spec, dt=1e-4, weight_width=8, state_width=16), x
        )["output"][:, 0, 0],
    }
    rows = {key: np.flatnonzero(v) for key, v in ours.items()}
    for path in sorted(folder.glob("lif_*.csv")):
        rows[path.stem[4:]] = np.flatnonzero(np.loadtxt(path, delimiter=",")[:, 2])
    ref = rows["exact"]
    print("\n| source | output spike steps | spikes | steps from the exact solution |")
    print("|---|---|---|---|")
    for key, steps in rows.items():
        diff = ("-" if len(steps) != len(ref)
                else ", ".join(f"{int(d):+d}" for d in steps - ref))
        print(f"| {key} | {', '.join(map(str, steps))} | {len(steps)} | {diff} |")


def _norse(graph: Path, x: np.ndarray, tmp: Path) -> tuple[np.ndarray, float]:
    np.savez(tmp / "in.npz", input=x)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    subprocess.run([str(PEER), str(ROOT / "docs" / "scripts" / "nir_peer.py"), str(graph),
                    str(tmp / "in.npz"), str(tmp / "out.npz"), "--dt", "1e-4",
                    "--repeats", "1"], check=True, env=env)
    with np.load(tmp / "out.npz") as data:
        return data["output"], float(data["seconds"])


def _first_step_without_recurrence(spec, graph_path: Path, x: np.ndarray) -> np.ndarray:
    """The float reference with the recurrent synapses (weights and bias) left out of the
    first step, as nirtorch's graph executor runs them (no previous output yet)."""
    import nir

    from neurocore_hw.nir import reference

    graph = nir.read(str(graph_path))
    t_steps, batch = x.shape[:2]
    state = [{"i": np.zeros((batch, layer.size)), "v": np.zeros((batch, layer.size))}
             for layer in spec.layers]
    rec = [None] * len(spec.layers)
    out = []
    for t in range(t_steps):
        feed = x[t].astype(np.float64)
        for k, layer in enumerate(spec.layers):
            rec_bias = sum(np.asarray(getattr(graph.nodes[n], "bias", 0.0), float)
                           for n in layer.rec_synapses)
            drive = feed @ layer.weight.T + layer.bias - rec_bias
            if rec[k] is not None:
                drive = drive + rec[k]
            feed = reference._step(layer, state[k], drive, 1e-4, "zero")
            if layer.rec_weight is not None:
                rec[k] = feed @ layer.rec_weight.T + rec_bias
        out.append(feed)
    return np.array(out)


def norse(samples: int) -> None:
    if not PEER.exists():
        print("\n(no build/peers/torch: `make peers` for the Norse comparison)")
        return
    x = poisson(samples, seed=3)
    print("\n| graph | ours | Norse | output spike entries equal | decisions equal |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, reset in GRAPHS:
            path = SHARED / f"{name}.nir"
            spec = load_graph(path)
            theirs, _ = _norse(path, x, Path(tmp))
            runs = {"float64, reset zero": simulate_float(spec, x, dt=1e-4)["output"],
                    f"float64, reset {reset}": simulate_float(spec, x, dt=1e-4,
                                                              reset=reset)["output"],
                    "float64, reset zero, no recurrence in step 0":
                        _first_step_without_recurrence(spec, path, x)}
            for label, ours in runs.items():
                print(f"| {name} | {label} | float32, reset zero | "
                      f"{(ours.astype(np.uint8) == theirs).mean():.5f} | "
                      f"{(decision(ours) == decision(theirs)).mean():.3f} |")


def speed(samples: int) -> None:
    x = poisson(samples, seed=1)
    print(f"\n| graph | {samples} samples x 256 steps | seconds per round | Norse / this |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, reset in GRAPHS:
            path = SHARED / f"{name}.nir"
            spec = load_graph(path)
            net = quantize_network(spec, dt=1e-4, reset=reset, weight_width=8)
            rows = {"bit-true": [], "float64 reference": [], "Norse 1.1 (float32)": []}
            for _ in range(3):
                t0 = time.perf_counter()
                run_layered(net, x)
                t1 = time.perf_counter()
                simulate_float(spec, x, dt=1e-4, reset=reset)
                t2 = time.perf_counter()
                rows["bit-true"].append(t1 - t0)
                rows["float64 reference"].append(t2 - t1)
                if PEER.exists():
                    rows["Norse 1.1 (float32)"].append(_norse(path, x, Path(tmp))[1])
            for label, times in rows.items():
                if not times:
                    continue
                ratio = ("-" if label.startswith("Norse") or not rows["Norse 1.1 (float32)"]
                         else ", ".join(f"{n / t:.2f}" for n, t in
                                        zip(rows["Norse 1.1 (float32)"], times)))
                print(f"| {name} | {label} | {', '.join(f'{t:.3f}' for t in times)} | "
                      f"{ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    braille(args.samples)
    core_forms(args.samples)
    platforms()
    norse(args.samples)
    speed(args.samples)


if __name__ == "__main__":
    main()
