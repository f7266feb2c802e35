"""Train a small recurrent CubaLIF network on scikit-learn's digits with snnTorch and
export it as NIR: the end-to-end accuracy task of docs/nir.md.

Runs in the peers' torch environment (never the project venv)::

    build/peers/torch/bin/python -m pip install scikit-learn
    build/peers/torch/bin/python docs/scripts/digits_train.py

Data: ``sklearn.datasets.load_digits`` (1,797 8x8 images, bundled, offline), split with
``train_test_split(test_size=0.2, random_state=0, stratify=labels)``. Encoding: each
pixel is a Bernoulli spike train over T = 32 steps with rate ``pixel / 16 * 0.5`` (seeded,
so the test spikes are the same for every tool). Network: 64 inputs -> Linear 64x48 ->
RSynaptic (48, recurrent Linear 48x48) -> Linear 48x10 -> Synaptic (10); both layers reset
by subtraction in the same step (``reset_delay=False``), threshold 1; the class is the
output with the most spikes. Adam (lr 2e-3, cosine decay), 30 epochs, cross-entropy on spike counts.

Writes ``docs/data/digits_rcuba.nir`` (``export_to_nir``), ``docs/data/digits_test.npz``
(``input`` [T, 360, 64] uint8 test spikes, ``label`` [360]) and
``docs/data/digits_snntorch.json`` (test accuracy in snnTorch, settings).
"""

from __future__ import annotations

import json
from pathlib import Path

import nir
import numpy as np
import snntorch as snn
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from snntorch.export_nir import export_to_nir

OUT = Path(__file__).resolve().parents[1] / "data"
T, HIDDEN, EPOCHS, SEED = 32, 48, 30, 0


def encode(images: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rates = images / 16.0 * 0.5
    return (rng.random((T, *rates.shape)) < rates).astype(np.uint8)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(64, HIDDEN, bias=False)
        # per-neuron alpha, beta, threshold: the exporter sizes the NIR nodes from them
        self.lif1 = snn.RSynaptic(alpha=torch.full((HIDDEN,), 0.5),
                                  beta=torch.full((HIDDEN,), 0.9), linear_features=HIDDEN,
                                  threshold=torch.ones(HIDDEN),
                                  reset_mechanism="subtract", reset_delay=False)
        self.fc2 = torch.nn.Linear(HIDDEN, 10, bias=False)
        self.lif2 = snn.Synaptic(alpha=torch.full((10,), 0.5), beta=torch.full((10,), 0.9),
                                 threshold=torch.ones(10), reset_mechanism="subtract",
                                 reset_delay=False)

    def forward(self, x, state=None):
        """One step; ``state`` is (spk1, syn1, mem1, syn2, mem2), zeros if None.
        (snnTorch 0.9/1.0's ``init_hidden=True`` breaks ``reset_delay=False``: it reads
        the unset local ``spk``; explicit state avoids that.)"""
        if state is None:
            z1, z2 = torch.zeros(x.shape[0], HIDDEN), torch.zeros(x.shape[0], 10)
            state = (z1, z1, z1, z2, z2)
        spk1, syn1, mem1, syn2, mem2 = state
        spk1, syn1, mem1 = self.lif1(self.fc1(x), spk1, syn1, mem1)
        spk2, syn2, mem2 = self.lif2(self.fc2(spk1), syn2, mem2)
        self.state = (spk1, syn1, mem1, syn2, mem2)
        return spk2


def run(net: Net, x: torch.Tensor) -> torch.Tensor:
    """Spikes [T, B, 10] of a [T, B, 64] batch from the reset state."""
    net.state, out = None, []
    for t in range(x.shape[0]):
        out.append(net(x[t], net.state))
    return torch.stack(out)


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    digits = load_digits()
    tr_x, te_x, tr_y, te_y = train_test_split(digits.data, digits.target, test_size=0.2,
                                              random_state=0, stratify=digits.target)
    tr_s = torch.from_numpy(encode(tr_x, 1).astype(np.float32))
    te_s = encode(te_x, 2)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    lossf = torch.nn.CrossEntropyLoss()
    labels = torch.from_numpy(tr_y)
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(labels))
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            counts = run(net, tr_s[:, idx]).sum(0)
            loss = lossf(counts, labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        with torch.no_grad():
            pred = run(net, torch.from_numpy(te_s.astype(np.float32))).sum(0).argmax(-1)
        acc = (pred.numpy() == te_y).mean()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test accuracy {acc:.4f}",
              flush=True)
    graph = export_to_nir(net, torch.zeros(1, 64), ignore_dims=[0])
    OUT.mkdir(exist_ok=True)
    nir.write(OUT / "digits_rcuba.nir", graph)
    np.savez_compressed(OUT / "digits_test.npz", input=te_s, label=te_y.astype(np.int64))
    (OUT / "digits_snntorch.json").write_text(json.dumps({
        "test_accuracy": float(acc), "test_samples": int(len(te_y)), "steps": T,
        "hidden": HIDDEN, "epochs": EPOCHS, "seed": SEED, "snntorch": snn.__version__,
        "torch": torch.__version__, "nir": nir.__version__}, indent=2) + "\n")


if __name__ == "__main__":
    main()
