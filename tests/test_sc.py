"""Stochastic-computing primitives: LFSR taps proven maximal, packing, gates, decoders."""

import numpy as np
import pytest

from neurocore_hw import sc

PRIMES_CACHE: dict[int, list[int]] = {}


def prime_factors(n):
    out, d = [], 2
    while d * d <= n:
        while n % d == 0:
            out.append(d)
            n //= d
        d += 1
    if n > 1:
        out.append(n)
    return sorted(set(out))


def transition_matrix(width, mirror):
    """Columns: the LFSR's image of each unit state (GF(2) linear map)."""
    return [int(sc.lfsr_next(1 << j, width, mirror)) for j in range(width)]


def apply(cols, x):
    y, j = 0, 0
    while x:
        if x & 1:
            y ^= cols[j]
        x >>= 1
        j += 1
    return y


def compose(a, b):  # a after b
    return [apply(a, c) for c in b]


def power(cols, e):
    width = len(cols)
    result = [1 << j for j in range(width)]
    base = cols
    while e:
        if e & 1:
            result = compose(base, result)
        base = compose(base, base)
        e >>= 1
    return result


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("width", sorted(sc.LFSR_TAPS))
def test_lfsr_is_maximal_length(width, mirror):
    """The transition matrix has order exactly 2^W - 1: every non-zero state is on one
    cycle (period 2^W - 1), for the table's taps and for their mirror."""
    cols = transition_matrix(width, mirror)
    identity = [1 << j for j in range(width)]
    period = (1 << width) - 1
    assert power(cols, period) == identity
    for p in prime_factors(period):
        assert power(cols, period // p) != identity


def test_lfsr_period_by_simulation():
    seq = sc.lfsr_sequence(10, [1], 1024)[:, 0]
    assert len(set(seq[:1023].tolist())) == 1023 and seq[1023] == seq[0] and 0 not in seq


def test_bad_seed_and_width():
    with pytest.raises(ValueError, match="seed"):
        sc.lfsr_sequence(8, [0], 4)
    with pytest.raises(ValueError, match="seed"):
        sc.check_seed(8, 256)
    with pytest.raises(ValueError, match="width"):
        sc.taps_for(7)


def test_vdc_is_a_permutation_with_low_discrepancy():
    v = sc.vdc_sequence(8, 256)
    lfsr = sc.lfsr_sequence(8, [1], 256)[:, 0]
    assert sorted(v.tolist()) == list(range(256))
    for x in (1, 13, 77, 128, 200, 255):
        # exactly x ones over the period; every prefix within log2(256)/2 of x t / 256
        bits = v < x
        assert bits.sum() == x
        prefix = np.abs(np.cumsum(bits) - np.arange(1, 257) * x / 256).max()
        assert prefix <= 4.0
        if x in (77, 128, 200):  # the LFSR's prefixes stray much further (8.3..11.8)
            assert np.abs(np.cumsum(lfsr < x) - np.arange(1, 257) * x / 256).max() > 2 * prefix


def test_pack_round_trip_and_gates():
    rng = np.random.default_rng(0)
    for length in (1, 63, 64, 65, 1000):
        a, b, s = (rng.random((length, 5)) < 0.4 for _ in range(3))
        pa, pb, ps = sc.pack(a), sc.pack(b), sc.pack(s)
        assert np.array_equal(sc.unpack(pa, length), a)
        assert np.array_equal(sc.count_ones(sc.sc_and(pa, pb)), (a & b).sum(axis=0))
        assert np.array_equal(sc.count_ones(sc.sc_xnor(pa, pb, length)),
                              (a == b).sum(axis=0))
        assert np.array_equal(sc.count_ones(sc.sc_mux(ps, pa, pb)),
                              np.where(s, a, b).sum(axis=0))
