"""Spike-train matching used for the fidelity tables."""

import numpy as np
import pytest

from neurocore_hw.fidelity import match_spikes


def raster(times, t_steps=20):
    r = np.zeros((t_steps, 1), dtype=bool)
    r[times, 0] = True
    return r


def test_match_within_tolerance_one_to_one():
    got = match_spikes(raster([2, 8, 15]), raster([3, 8, 9, 18]), tolerance=1)
    assert (got["matched"], got["reference_spikes"], got["test_spikes"]) == (2, 3, 4)
    assert got["matched_fraction"] == pytest.approx(2 / 3)
    assert match_spikes(raster([2, 8, 15]), raster([3, 8, 9, 18]), 3)["matched"] == 3
    assert match_spikes(raster([5]), raster([5, 6]), 1)["matched"] == 1  # no double use


def test_silent_reference_and_errors():
    assert match_spikes(raster([]), raster([]))["matched_fraction"] == 1.0
    assert match_spikes(raster([]), raster([4]))["matched_fraction"] == 0.0
    with pytest.raises(ValueError, match="shape"):
        match_spikes(raster([1]), np.zeros((5, 1), dtype=bool))
