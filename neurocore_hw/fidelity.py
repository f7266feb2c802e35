"""Compare spike trains: how closely a fixed-point model follows its float reference."""

from __future__ import annotations

import numpy as np

__all__ = ["match_spikes"]


def match_spikes(reference: np.ndarray, test: np.ndarray, tolerance: int = 1) -> dict:
    """Match spikes one-to-one within ``+-tolerance`` steps, per neuron.

    Parameters
    ----------
    reference, test : numpy.ndarray of bool, shape (T, N)
        Spike rasters.
    tolerance : int
        Largest time difference, in steps, for two spikes to match.

    Returns
    -------
    dict
        ``reference_spikes``, ``test_spikes``, ``matched`` (one-to-one pairs, greedy in
        time order), ``matched_fraction`` (``matched / reference_spikes``; 1.0 if the
        reference is silent and so is the test, else 0.0 when the reference is silent).
    """
    reference = np.asarray(reference, dtype=bool)
    test = np.asarray(test, dtype=bool)
    if reference.shape != test.shape or reference.ndim != 2:
        raise ValueError(f"rasters must share a 2-D shape, got {reference.shape} and "
                         f"{test.shape}")
    matched = 0
    for n in range(reference.shape[1]):
        ref_t = np.flatnonzero(reference[:, n])
        test_t = np.flatnonzero(test[:, n])
        i = j = 0
        while i < ref_t.size and j < test_t.size:
            if abs(int(ref_t[i]) - int(test_t[j])) <= tolerance:
                matched += 1
                i += 1
                j += 1
            elif ref_t[i] < test_t[j]:
                i += 1
            else:
                j += 1
    n_ref, n_test = int(reference.sum()), int(test.sum())
    fraction = matched / n_ref if n_ref else float(n_test == 0)
    return {"reference_spikes": n_ref, "test_spikes": n_test, "matched": matched,
            "matched_fraction": fraction}
