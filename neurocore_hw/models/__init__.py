"""Neuron model families, one module each; :mod:`neurocore_hw.registry` lists them."""

__all__: list[str] = []
