"""Read a NIR graph into a chain of layers: what neurocore-hw can simulate and build.

A supported graph is a chain ``Input -> synapses -> neurons -> synapses -> neurons ... ->
Output`` where *synapses* are ``Affine``, ``Linear`` and ``Scale`` nodes (composed into one
weight matrix and bias per layer) and *neurons* are ``CubaLIF``, ``LIF``, ``IF``, ``LI``,
``CubaLI``, ``I`` or ``Threshold`` nodes. A neuron node may also feed itself through
synapses (snnTorch writes a recurrent layer as ``lif1.lif`` + ``lif1.w_rec``): that edge
carries the previous step's spikes. Nested subgraphs are flattened (``outer.inner``).
Anything else -- convolutions, pooling, delays, branches, a cycle that is not a layer's own
recurrence, shapes that do not match, a file nir cannot read -- is a :class:`NIRError`
naming the node and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["NEURON_KINDS", "NIRError", "Layer", "NetworkSpec", "graph_nodes", "load_graph",
           "read_graph", "spec_from_graph"]

#: Neuron nodes and the parameters each carries (NIR's names).
NEURON_KINDS = {
    "CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
    "LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
    "IF": ("r", "v_threshold", "v_reset"),
    "LI": ("tau", "r", "v_leak"),
    "CubaLI": ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
    "I": ("r",),
    "Threshold": ("threshold",),
}
#: Nodes whose output is a spike (the others output their membrane).
SPIKING = ("CubaLIF", "LIF", "IF", "Threshold")
SYNAPSE_KINDS = ("Affine", "Linear", "Scale")


class NIRError(ValueError):
    """A graph neurocore-hw cannot take, with the node and the reason in one line."""


@dataclass
class Layer:
    """One population of a graph, with the synapses that feed it.

    Attributes
    ----------
    name : str
        The neuron node's name.
    kind : str
        Its NIR type (a key of :data:`NEURON_KINDS`).
    size : int
        Neurons.
    params : dict of str to numpy.ndarray
        The node's parameters, float64, each of shape ``(size,)``.
    source : str
        ``"input"`` or the name of the layer whose output feeds this one.
    weight : numpy.ndarray, shape (size, n_source)
        The composed feed-forward synapses.
    bias : numpy.ndarray, shape (size,)
        Constant input per step (the feed-forward and recurrent biases together).
    rec_weight : numpy.ndarray or None, shape (size, size)
        The layer's own recurrence (previous step's output), if any.
    synapses : list of str
        Names of the synapse nodes folded into ``weight``, ``bias`` and ``rec_weight``.
    rec_synapses : list of str
        Those of them on the recurrent path.
    """

    name: str
    kind: str
    size: int
    params: dict[str, np.ndarray]
    source: str
    weight: np.ndarray
    bias: np.ndarray
    rec_weight: np.ndarray | None = None
    synapses: list[str] = field(default_factory=list)
    rec_synapses: list[str] = field(default_factory=list)

    @property
    def spiking(self) -> bool:
        """Whether the layer outputs spikes (else its membrane)."""
        return self.kind in SPIKING


@dataclass
class NetworkSpec:
    """A NIR graph as a chain of layers (float64 parameters).

    Attributes
    ----------
    inputs : int
        Input channels.
    layers : list of Layer
        In graph order; the last one feeds ``Output``.
    """

    inputs: int
    layers: list[Layer]

    @property
    def outputs(self) -> int:
        """Output channels (the last layer's size)."""
        return self.layers[-1].size


def _flatten(graph, prefix: str = "") -> tuple[dict, list[tuple[str, str]]]:
    """Nodes and edges with nested graphs inlined (their Input/Output become pass-throughs)."""
    import nir

    nodes, edges = {}, []
    inner_io = {}
    for name, node in graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            sub_nodes, sub_edges = _flatten(node, full + ".")
            ins = [k for k, v in sub_nodes.items() if type(v).__name__ == "Input"]
            outs = [k for k, v in sub_nodes.items() if type(v).__name__ == "Output"]
            if len(ins) != 1 or len(outs) != 1:
                raise NIRError(f"node {full!r}: a subgraph needs one Input and one Output")
            inner_io[full] = (ins[0], outs[0])
            nodes.update(sub_nodes)
            edges += sub_edges
        else:
            nodes[full] = node
    for a, b in graph.edges:
        a, b = prefix + a, prefix + b
        a = inner_io[a][1] if a in inner_io else a
        b = inner_io[b][0] if b in inner_io else b
        edges.append((a, b))
    if prefix:
        return nodes, edges
    # inner Input/Output nodes are wires: bypass them
    for name in [k for k in nodes if "." in k and type(nodes[k]).__name__ in ("Input", "Output")]:
        preds = [a for a, b in edges if b == name]
        succs = [b for a, b in edges if a == name]
        edges = [(a, b) for a, b in edges if name not in (a, b)]
        edges += [(a, b) for a in preds for b in succs]
        del nodes[name]
    return nodes, edges


def _size(node, name: str, key: str) -> int | None:
    types = getattr(node, key, None) or {}
    shape = next(iter(types.values()), None)
    if shape is None:
        return None
    shape = np.atleast_1d(np.asarray(shape))
    if shape.size != 1:
        raise NIRError(f"node {name!r}: shape {tuple(shape.tolist())} is not one-dimensional")
    return int(shape[0])


def _synapse(node, name: str, n_in: int) -> tuple[np.ndarray, np.ndarray]:
    """The node as ``(W, b)`` acting on ``n_in`` channels."""
    kind = type(node).__name__
    if kind == "Scale":
        s = np.asarray(node.scale, dtype=np.float64).reshape(-1)
        if s.size not in (1, n_in):
            raise NIRError(f"node {name!r}: Scale of {s.size} values on {n_in} channels")
        return np.diag(np.broadcast_to(s, (n_in,))), np.zeros(n_in)
    w = np.asarray(node.weight, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != n_in:
        raise NIRError(f"node {name!r}: weight of shape {w.shape} does not take "
                       f"{n_in} inputs")
    b = (np.asarray(node.bias, dtype=np.float64).reshape(-1) if kind == "Affine"
         else np.zeros(w.shape[0]))
    if b.size != w.shape[0]:
        raise NIRError(f"node {name!r}: bias of {b.size} values for {w.shape[0]} outputs")
    return w, b


def _params(node, name: str, kind: str, size: int) -> dict[str, np.ndarray]:
    out = {}
    for key in NEURON_KINDS[kind]:
        value = getattr(node, key, None)
        if value is None:
            value = 0.0 if key in ("v_reset", "v_leak") else 1.0
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
        if arr.size not in (1, size):
            raise NIRError(f"node {name!r}: {key} has {arr.size} values for {size} neurons")
        if not np.isfinite(arr).all():
            raise NIRError(f"node {name!r}: {key} is not finite")
        out[key] = np.broadcast_to(arr, (size,)).copy()
    for key in ("tau", "tau_syn", "tau_mem"):
        if key in out and (out[key] <= 0).any():
            raise NIRError(f"node {name!r}: {key} must be > 0")
    return out


def spec_from_graph(graph) -> NetworkSpec:
    """The layers of an in-memory ``nir.NIRGraph``.

    Raises
    ------
    NIRError
        Unsupported nodes or topology, or shapes that do not match.
    """
    nodes, edges = _flatten(graph)
    for name, node in nodes.items():
        kind = type(node).__name__
        if kind not in (*NEURON_KINDS, *SYNAPSE_KINDS, "Input", "Output"):
            raise NIRError(f"node {name!r}: {kind} is not supported (supported: Input, "
                           f"Output, {', '.join(SYNAPSE_KINDS)}, {', '.join(NEURON_KINDS)})")
    for a, b in edges:
        for end in (a, b):
            if end not in nodes:
                raise NIRError(f"edge {a!r} -> {b!r}: no node {end!r}")
    ins = [k for k, v in nodes.items() if type(v).__name__ == "Input"]
    outs = [k for k, v in nodes.items() if type(v).__name__ == "Output"]
    if len(ins) != 1 or len(outs) != 1:
        raise NIRError(f"the graph needs one Input and one Output node, has {len(ins)} and "
                       f"{len(outs)}")
    succ = {k: [b for a, b in edges if a == k] for k in nodes}
    pred = {k: [a for a, b in edges if b == k] for k in nodes}
    n_inputs = _size(nodes[ins[0]], ins[0], "output_type") or _size(
        nodes[ins[0]], ins[0], "input_type")
    if n_inputs is None:
        raise NIRError(f"node {ins[0]!r}: Input has no shape")

    def chain(start: str, n_in: int):
        """Follow synapses from ``start``'s successor to the next non-synapse node."""
        w, b, names = np.eye(n_in), np.zeros(n_in), []
        node = start
        while True:
            nexts = succ[node]
            if len(nexts) != 1:
                raise NIRError(f"node {node!r}: {len(nexts)} outgoing edges; branches are "
                               "not supported")
            node = nexts[0]
            kind = type(nodes[node]).__name__
            if kind not in SYNAPSE_KINDS:
                return node, w, b, names
            if len(pred[node]) != 1:
                raise NIRError(f"node {node!r}: {len(pred[node])} incoming edges; only a "
                               "neuron node may join its input with its own recurrence")
            ws, bs = _synapse(nodes[node], node, w.shape[0])
            w, b = ws @ w, ws @ b + bs
            names.append(node)

    layers: list[Layer] = []
    seen = {ins[0]}
    current, n_cur = ins[0], n_inputs
    while True:
        ff = [s for s in succ[current] if not _returns_to(s, current, succ, nodes)]
        rec = [s for s in succ[current] if s not in ff]
        if len(ff) != 1 or len(rec) > 1:
            raise NIRError(f"node {current!r}: {len(succ[current])} outgoing edges; "
                           "branches are not supported")
        saved = succ[current]
        succ[current] = ff
        target, w, b, names = chain(current, n_cur)
        succ[current] = saved
        if type(nodes[target]).__name__ == "Output":
            size = _size(nodes[target], target, "input_type")
            if size is not None and size != w.shape[0]:
                raise NIRError(f"node {target!r}: expects {size} channels, gets {w.shape[0]}")
            if not layers:
                raise NIRError("the graph has no neuron node")
            if not np.allclose(w, np.eye(w.shape[0])) or np.any(b):
                raise NIRError(f"node {names[-1]!r}: synapses after the last neuron layer "
                               "are not supported")
            return NetworkSpec(inputs=n_inputs, layers=layers)
        if target in seen:
            raise NIRError(f"node {target!r}: a cycle that is not a layer's own recurrence")
        seen.add(target)
        kind = type(nodes[target]).__name__
        size = w.shape[0]
        declared = _size(nodes[target], target, "input_type")
        if declared is not None and declared != size:
            raise NIRError(f"node {target!r}: expects {declared} inputs, gets {size}")
        layer = Layer(name=target, kind=kind, size=size,
                      params=_params(nodes[target], target, kind, size),
                      source=layers[-1].name if layers else "input", weight=w, bias=b,
                      synapses=list(names))
        loops = [s for s in succ[target] if _returns_to(s, target, succ, nodes)]
        others = [p for p in pred[target] if p not in names and p != current]
        if len(loops) > 1:
            raise NIRError(f"node {target!r}: more than one recurrent path")
        if loops:
            saved = succ[target]
            succ[target] = loops
            back, wr, br, rnames = chain(target, size)
            succ[target] = saved
            if back != target:
                raise NIRError(f"node {target!r}: recurrent path ends at {back!r}")
            layer.rec_weight, layer.bias = wr, layer.bias + br
            layer.synapses += rnames
            layer.rec_synapses = list(rnames)
            others = [p for p in others if p not in rnames]
        if others:
            raise NIRError(f"node {target!r}: input from {others[0]!r} besides its feed-forward "
                           "path and its own recurrence")
        layers.append(layer)
        current, n_cur = target, size


def _returns_to(start: str, home: str, succ, nodes) -> bool:
    """Whether synapses from ``start`` lead straight back to ``home``."""
    node, steps = start, 0
    while steps < len(nodes):
        if node == home:
            return True
        if type(nodes[node]).__name__ not in SYNAPSE_KINDS or len(succ[node]) != 1:
            return False
        node, steps = succ[node][0], steps + 1
    return False


def graph_nodes(graph) -> list[dict]:
    """Every node of a graph (nested ones flattened): name, NIR type, input and output
    shapes, and its role -- ``neuron``, ``synapse``, ``io`` or ``unsupported``."""
    nodes, _ = _flatten(graph)
    rows = []
    for name, node in nodes.items():
        kind = type(node).__name__
        role = ("neuron" if kind in NEURON_KINDS else "synapse" if kind in SYNAPSE_KINDS
                else "io" if kind in ("Input", "Output") else "unsupported")
        shapes = [[int(v) for v in np.atleast_1d(next(iter(t.values()), []))]
                  if t else None for t in (getattr(node, "input_type", None),
                                           getattr(node, "output_type", None))]
        rows.append({"node": name, "type": kind, "input": shapes[0], "output": shapes[1],
                     "role": role})
    return rows


def read_graph(path: str | Path):
    """``nir.read`` with one-line errors: the ``nir.NIRGraph`` of a ``.nir`` file.

    Raises
    ------
    NIRError
        A missing or unreadable file.
    """
    import nir

    path = Path(path)
    if not path.is_file():
        raise NIRError(f"{str(path)!r} does not exist")
    try:
        return nir.read(str(path))
    except Exception as exc:  # nir and h5py raise many kinds; all mean "cannot read"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NIRError(f"{str(path)!r}: nir cannot read it ({first})") from None


def load_graph(path: str | Path) -> NetworkSpec:
    """Read a ``.nir`` file (``nir.read``) into its layers.

    Raises
    ------
    NIRError
        A missing or unreadable file, or a graph that is not supported (one line).
    """
    return spec_from_graph(read_graph(path))
