"""Population core: N neurons time-multiplexed through one datapath, weights, AER spikes.

Built from a :class:`neurocore_hw.network.CoreConfig`; bit-exact with
:func:`neurocore_hw.network.run_network` (same order of row adds, same widths). Any
registered model's combinational datapath updates one neuron per clock (II = 1); neuron
state, input accumulators and weights live in ``amaranth.lib.memory`` memories (block RAM
on the FPGA). Architecture, timing and address map: ``docs/core.md``.

Phases (``busy`` is high outside IDLE):

* IDLE: ``in_ready`` is high; an accepted input event ``s`` starts a row add; ``start``
  starts a timestep; bus reads and writes are served (and only here).
* ROWADD: ``acc[i] = ovf(acc[i] + W[s, i])`` for ``i = 0..N-1``, one per clock, three
  pipeline stages (read, register, add; then the write).
* SWEEP: each neuron ``i`` in turn: read state and ``acc[i]`` (shifted by
  ``input_shift`` and plus ``bias[i]`` on the way into the register), register, datapath,
  register, write back the next state and ``acc[i] = 0``; a spike pushes ``(time, i)``
  into the output FIFO and, with recurrence, ``i`` into the spike list. A neuron is
  issued only while the FIFO has room for everything in flight, so a stalled output
  stream pauses the sweep and never loses a spike.
* RECUR: the row of each listed spike is added (ROWADD), in list order; then ``done``
  pulses and the timestep counter ``timestep`` increments.

No read-modify-write hazard arises: a sweep touches each address once, and a row add
finishes writing before the next one reads (the pipeline drains between rows).
"""

from __future__ import annotations

import re

from amaranth.back import verilog
from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from neurocore_hw.fixed import check_int
from neurocore_hw.network import CoreConfig

from .arith import const_mul, overflow
from .devices import DEVICES
from .unit import datapath_for, pipelined_datapath_for

__all__ = ["CORE_TOP", "DROPPED_BITS", "XYLO_COUNT_BITS", "NeuronCore", "REGION_ACC", "REGION_BIAS",
           "REGION_STATE", "REGION_WEIGHTS", "check_fits", "core_layout", "core_memories",
           "emit_core", "ram_plan", "status_index", "strip_weight_init"]

#: Stable top-level module name of an emitted core.
CORE_TOP = "neurocore_core"
#: Bus regions (the two top address bits).
REGION_WEIGHTS, REGION_STATE, REGION_ACC, REGION_BIAS = 0, 1, 2, 3
#: Width of the dropped-event counter (saturating; ``neurocore_hw.network.DROPPED_MAX``).
DROPPED_BITS = 16
#: Width of an input event's count in a core with Xylo's synapses (``in_count``): up to 31
#: events of one source at once, a hidden Xylo neuron's largest spike count.
XYLO_COUNT_BITS = 5


def status_index(config: CoreConfig) -> int:
    """Bus index (in region ``REGION_ACC``) of the dropped-event counter: the first
    index past every accumulator's, ``2**neuron_bits``. Reads return the count; a write
    sets it (write 0 to clear)."""
    return 1 << _bits(config.neurons)
#: Neurons in flight in the sweep pipeline after the issue stage (read, register, write)
#: with a combinational datapath; a pipelined one adds its latency.
SWEEP_IN_FLIGHT = 3


def _bits(n: int) -> int:
    """Bits of an unsigned index ``0..n-1`` (at least 1)."""
    return max(1, (n - 1).bit_length())


def core_layout(config: CoreConfig) -> dict[str, int]:
    """Widths and depths of the core's ports and memories.

    Returns
    -------
    dict of str to int
        ``neuron_bits``, ``source_bits``, ``weight_words``, ``weight_addr_bits``,
        ``state_bits`` (packed state word), ``bus_addr_bits``, ``bus_data_bits``,
        ``count_bits`` (the spike count of an output event) and ``in_count_bits`` (of an
        input event): ``synapses="xylo"``, else 0.
    """
    n = config.neurons
    words = config.rows * n
    state_bits = sum(s.width for s in config.params.state_ports())
    waddr = _bits(words)
    return {
        "neuron_bits": _bits(n),
        "source_bits": _bits(config.inputs),
        "weight_words": words,
        "weight_addr_bits": waddr,
        "state_bits": state_bits,
        "bus_addr_bits": 2 + max(waddr, _bits(n) + 1),  # index 2**neuron_bits: status
        "bus_data_bits": max(config.weight_width, state_bits, config.acc_width),
        "count_bits": config.params.count_width if config.xylo else 0,
        "in_count_bits": XYLO_COUNT_BITS if config.xylo else 0,
    }


def core_memories(config: CoreConfig, fifo_depth: int = 16) -> dict[str, tuple[int, int]]:
    """Every memory of the core as ``name -> (depth, width)``."""
    lay = core_layout(config)
    n = config.neurons
    mems = {"weights": (lay["weight_words"], config.weight_width),
            "state": (n, lay["state_bits"]), "acc": (n, config.acc_width),
            "fifo": (fifo_depth, config.time_width + lay["neuron_bits"] + lay["count_bits"])}
    if config.recurrent:
        mems["spike_list"] = (n, lay["neuron_bits"] + lay["count_bits"])
    if config.bias:
        mems["bias"] = (n, config.acc_width)
    return mems


def _blocks(shapes, depth: int, width: int) -> int:
    """Fewest blocks of any of ``shapes`` that hold ``depth x width``."""
    return min(-(-depth // d) * -(-width // w) for d, w in shapes)


def _spram_blocks(depth: int, width: int, spram) -> int:
    """Single-port RAMs for ``depth x width``: narrow words share a 16-bit word through
    the 4-bit write lanes (8-bit weights: two per word)."""
    sdepth, swidth, _ = spram
    if width > swidth:
        return -(-width // swidth) * -(-depth // sdepth)
    per_word = swidth // (4 * -(-width // 4))
    return -(-depth // (sdepth * per_word))


def ram_plan(config: CoreConfig, device: str, fifo_depth: int = 16) -> dict:
    """Block RAMs the core needs on ``device``: the weights in single-port RAM where the
    device has it (UP5K SPRAM), everything else in block RAM.

    Returns
    -------
    dict
        ``memories`` (name -> (kind, blocks)), ``ebr`` and ``ebr_available``, ``spram``
        and ``spram_available``, ``fits`` (bool).
    """
    if device not in DEVICES:
        raise ValueError(f"device {device!r} is not one of {', '.join(DEVICES)}")
    spec = DEVICES[device]
    shapes, ebr_total, spram = spec.ram_shapes, spec.ram_blocks, spec.spram
    plan = {}
    for name, (depth, width) in core_memories(config, fifo_depth).items():
        if name == "weights" and spram is not None and depth * width > 16 * 4096:
            plan[name] = ("spram", _spram_blocks(depth, width, spram))
        else:
            plan[name] = ("ebr", _blocks(shapes, depth, width))
    ebr = sum(b for kind, b in plan.values() if kind == "ebr")
    sp = sum(b for kind, b in plan.values() if kind == "spram")
    sp_total = spram[2] if spram else 0
    return {"memories": plan, "ebr": ebr, "ebr_available": ebr_total, "spram": sp,
            "spram_available": sp_total, "fits": ebr <= ebr_total and sp <= sp_total}


def check_fits(config: CoreConfig, device: str, fifo_depth: int = 16) -> dict:
    """:func:`ram_plan`, raising a one-line ValueError if the memories do not fit."""
    plan = ram_plan(config, device, fifo_depth)
    if not plan["fits"]:
        need = ", ".join(f"{name} {blocks} {kind.upper()}"
                         for name, (kind, blocks) in plan["memories"].items())
        raise ValueError(
            f"a {config.neurons}-neuron core with {config.rows} weight rows does not fit "
            f"{device}: needs {plan['ebr']}/{plan['ebr_available']} block RAMs and "
            f"{plan['spram']}/{plan['spram_available']} SPRAMs ({need})")
    return plan


_WEIGHT_INIT = re.compile(r"(  reg \[\d+:0\] weight_mem \[\d+:0\];\n)  initial begin\n"
                          r"(?:    weight_mem\[\d+\] = [^\n]*\n)*  end\n")


def strip_weight_init(verilog_text: str, cores: int = 1) -> str:
    """Drop the all-zero ``initial`` block Amaranth writes for the weight memory of each of
    ``cores`` cores in the text.

    The weights have no power-up value (the UP5K's SPRAM cannot hold one; they are loaded
    over the bus), and at large N the block is most of the file (4 MB at N = 1024).
    """
    text, dropped = _WEIGHT_INIT.subn(r"\1", verilog_text)
    if dropped != cores:
        raise RuntimeError(f"{dropped} weight-memory initial blocks found, expected {cores}")
    return text


def _index_times(x, k: int, width: int):
    """``x * k`` for an unsigned index ``x`` and a constant ``k``, as ``width`` bits
    (shift-and-add: no multiplier)."""
    return const_mul(Cat(x, Const(0, 1)).as_signed(), k)[:width]


class NeuronCore(wiring.Component):
    """N-neuron population core with AER input and output and a memory-mapped bus.

    Parameters
    ----------
    config : CoreConfig
        Keyword-only; model, sizes and number formats.
    fifo_depth : int
        Keyword-only; depth of the output event FIFO, 8..4096 (default 16).
    pipelined : bool
        Keyword-only; use the model's pipelined datapath (registry field
        ``pipelined_datapath``) instead of the combinational one: a higher clock rate for
        a few more clocks of latency per timestep.
    levels : int
        Keyword-only; adder levels per stage of the pipelined datapath (default 2).

    Attributes
    ----------
    start : In(1)
        Start a timestep (taken in IDLE; ignored while ``busy``).
    busy : Out(1)
        Not in IDLE: a row add or a timestep is running.
    done : Out(1)
        One-clock pulse at the end of each timestep.
    timestep : Out(unsigned(time_width))
        Completed timesteps since reset (wraps); the timestep field of output events.
    in_valid, in_ready, in_source
        AER input stream: a source index ``0..inputs-1``; a larger index is taken,
        dropped and counted in ``dropped``.
    dropped : Out(DROPPED_BITS)
        Input events dropped since reset (saturating): the status register, also read
        (and set) over the bus at ``REGION_ACC``, :func:`status_index`.
    out_valid, out_ready, out_neuron, out_time
        AER output stream: a spiking neuron and the timestep it fired in.
    out_count : Out(count_bits)
        ``synapses="xylo"`` only: how many times the neuron fired in that timestep.
    in_count : In(XYLO_COUNT_BITS)
        ``synapses="xylo"`` only: the input event stands for this many events of its
        source (one row add of the weights times the count; 0 adds nothing).
    bus_addr, bus_wdata, bus_we, bus_re, bus_rdata, bus_rvalid
        Memory-mapped access in IDLE: region (top two address bits) 0 = weights
        (``row * N + i``, write only), 1 = packed neuron state (state ports in order,
        first at bit 0), 2 = accumulators, 3 = bias registers (a core with ``bias``).
        ``bus_rdata`` is valid with ``bus_rvalid``, the clock after ``bus_re``.
    """

    def __init__(self, *, config: CoreConfig, fifo_depth: int = 16, pipelined: bool = False,
                 levels: int = 2):
        if not isinstance(config, CoreConfig):
            raise TypeError(f"config must be a CoreConfig, got {type(config).__name__}")
        check_int("fifo_depth", fifo_depth, 8, 4096)
        self.config, self.fifo_depth = config, fifo_depth
        self.layout = lay = core_layout(config)
        self.datapath = (datapath_for(config.params) if not pipelined
                         else pipelined_datapath_for(config.params, levels))
        #: Clocks the datapath takes (0: combinational) and neurons in flight after issue.
        self.latency = getattr(self.datapath, "latency", 0)
        self.in_flight = SWEEP_IN_FLIGHT + self.latency
        if fifo_depth < self.in_flight + 3:
            raise ValueError(f"fifo_depth={fifo_depth} is too small for "
                             f"{self.in_flight} neurons in flight; use >= {self.in_flight + 3}")
        super().__init__({
            "start": In(1), "busy": Out(1), "done": Out(1),
            "timestep": Out(unsigned(config.time_width)),
            "in_valid": In(1), "in_ready": Out(1),
            "in_source": In(unsigned(lay["source_bits"])),
            "dropped": Out(unsigned(DROPPED_BITS)),
            "out_valid": Out(1), "out_ready": In(1),
            "out_neuron": Out(unsigned(lay["neuron_bits"])),
            "out_time": Out(unsigned(config.time_width)),
            "bus_addr": In(unsigned(lay["bus_addr_bits"])),
            "bus_wdata": In(unsigned(lay["bus_data_bits"])),
            "bus_we": In(1), "bus_re": In(1),
            "bus_rdata": Out(unsigned(lay["bus_data_bits"])), "bus_rvalid": Out(1),
            **({"out_count": Out(unsigned(lay["count_bits"])),
                "in_count": In(unsigned(XYLO_COUNT_BITS))} if config.xylo else {}),
        })

    def _fifo_room(self, m: Module, fifo) -> Value:
        """Issue condition: the FIFO can take a spike from every neuron in flight.

        Registered (the FIFO level is a carry chain): the level can have grown by one
        since, which the extra entry of margin covers.
        """
        room = Signal()
        m.d.sync += room.eq(fifo.level <= self.fifo_depth - 2 - self.in_flight)
        return room

    def elaborate(self, platform) -> Module:
        """Memories, the sweep and row-add pipelines, the phase FSM and the bus."""
        m = Module()
        cfg, lay = self.config, self.layout
        n, p = cfg.neurons, cfg.params
        nb, wab = lay["neuron_bits"], lay["weight_addr_bits"]
        states = p.state_ports()
        m.submodules.datapath = dp = self.datapath

        # --- memories -------------------------------------------------------------------
        reset_word = 0
        offset = 0
        for s in states:
            reset_word |= (s.reset & ((1 << s.width) - 1)) << offset
            offset += s.width
        # No port ever reads an address in the clock it is written (see the module doc),
        # so Yosys need not build read-during-write logic (``no_rw_check``).
        rw = {"no_rw_check": 1}
        m.submodules.state_mem = state_mem = Memory(
            shape=unsigned(lay["state_bits"]), depth=n, init=[reset_word] * n, attrs=rw)
        m.submodules.acc_mem = acc_mem = Memory(
            shape=signed(cfg.acc_width), depth=n, init=[], attrs=rw)
        m.submodules.weight_mem = weight_mem = Memory(
            shape=signed(cfg.weight_width), depth=lay["weight_words"], init=[], attrs=rw)
        st_r, st_w = state_mem.read_port(), state_mem.write_port()
        acc_r, acc_w = acc_mem.read_port(), acc_mem.write_port()
        w_r, w_w = weight_mem.read_port(), weight_mem.write_port()
        cb = lay["count_bits"]  # Xylo: the spike count rides with each event and list entry
        m.submodules.fifo = fifo = SyncFIFOBuffered(width=cfg.time_width + nb + cb,
                                                    depth=self.fifo_depth)
        if cfg.recurrent:
            m.submodules.spike_list = spike_list = Memory(shape=unsigned(nb + cb), depth=n,
                                                          init=[], attrs=rw)
            sl_r, sl_w = spike_list.read_port(), spike_list.write_port()
        if cfg.bias:
            m.submodules.bias_mem = bias_mem = Memory(
                shape=signed(cfg.acc_width), depth=n, init=[], attrs=rw)
            bias_r, bias_w = bias_mem.read_port(), bias_mem.write_port()

        # --- bus (IDLE only) ------------------------------------------------------------
        idle = Signal()
        region = self.bus_addr[-2:]
        low = self.bus_addr[:-2]
        bus_write = idle & self.bus_we
        bus_read = idle & self.bus_re & ~self.bus_we  # never read and write in one clock
        read_region = Signal(2)
        status = Signal()  # the index is past every neuron's: the status register
        read_status = Signal()
        m.d.comb += status.eq(low[nb:] != 0)
        m.d.sync += [self.bus_rvalid.eq(bus_read), read_region.eq(region),
                     read_status.eq(status)]
        other = (Mux(read_region == REGION_BIAS, bias_r.data.as_unsigned(), 0) if cfg.bias
                 else 0)
        acc_word = Mux(read_status, self.dropped, acc_r.data.as_unsigned())
        m.d.comb += self.bus_rdata.eq(Mux(read_region == REGION_STATE, st_r.data,
                                          Mux(read_region == REGION_ACC, acc_word, other)))
        # the dropped-event counter: a bus write sets it, else an event taken in IDLE
        # whose source names no input counts (saturating)
        with m.If(bus_write & (region == REGION_ACC) & status):
            m.d.sync += self.dropped.eq(self.bus_wdata[:DROPPED_BITS])
        with m.Elif(idle & self.in_valid & ~self.start & (self.in_source >= cfg.inputs)
                    & (self.dropped != (1 << DROPPED_BITS) - 1)):
            m.d.sync += self.dropped.eq(self.dropped + 1)

        # --- weight address: one address for read and write (single-port RAM, SPRAM).
        # Bus writes are registered and land a clock later (the SPRAM sits far from the
        # control logic); a row add does not read in that clock.
        w_ptr = Signal(wab)
        w_we = Signal()
        w_waddr = Signal(wab)
        w_wdata = Signal(signed(cfg.weight_width))
        m.d.sync += [w_we.eq(bus_write & (region == REGION_WEIGHTS)), w_waddr.eq(low[:wab]),
                     w_wdata.eq(self.bus_wdata[:cfg.weight_width])]
        m.d.comb += [
            w_r.addr.eq(Mux(w_we, w_waddr, w_ptr)),
            w_w.addr.eq(w_r.addr),
            w_w.data.eq(w_wdata),
            w_w.en.eq(w_we),
            w_r.en.eq(~w_we),  # output holds during a write, as a single-port RAM's
        ]

        # --- row-add pipeline: issue (addresses), R (RAM data), Q (registered), S (sum,
        # registered), then the write --------------------------------------------------
        ra_j = Signal(nb)
        ra_active = Signal()  # neurons left to issue (a flag: no counter compare in paths)
        ra_issue = Signal()
        ra_v1, ra_v2, ra_v3 = Signal(), Signal(), Signal()
        ra_j1, ra_j2, ra_j3 = Signal(nb), Signal(nb), Signal(nb)
        w_q = Signal(signed(cfg.weight_width))
        acc_q = Signal(signed(cfg.acc_width))
        m.d.sync += [ra_v1.eq(ra_issue), ra_j1.eq(ra_j), ra_v2.eq(ra_v1),
                     ra_j2.eq(ra_j1), w_q.eq(w_r.data), acc_q.eq(acc_r.data)]
        with m.If(ra_issue):
            m.d.sync += [ra_j.eq(ra_j + 1), w_ptr.eq(w_ptr + 1)]
            with m.If(ra_j == n - 1):
                m.d.sync += ra_active.eq(0)
        ra_sum = Signal(signed(cfg.acc_width))  # registered: the write is a stage of its own
        in_rec = Signal()  # the current row add belongs to the recurrent phase
        row_count = Signal(XYLO_COUNT_BITS)  # Xylo: the event's count or the neuron's spikes
        addend = w_q
        if cfg.xylo:  # the weight times the count, shifted by the group's shift
            product = w_q * row_count
            addend = Mux(in_rec, product << cfg.recurrent_shift, product << cfg.weight_shift)
        m.d.sync += [ra_sum.eq(overflow(acc_q + addend, cfg.acc_width, cfg.acc_overflow)),
                     ra_v3.eq(ra_v2), ra_j3.eq(ra_j2)]

        # --- sweep pipeline: issue, R (RAM data), Q (registered), the datapath (latency
        # L), its outputs registered, then the write -----------------------------------
        sw_i = Signal(nb)
        sw_active = Signal()
        sw_issue = Signal()
        # valid bits and neuron indexes of the stages after issue (in_flight of them)
        sw_v = [Signal(name=f"sw_v{k}") for k in range(1, self.in_flight + 1)]
        sw_ix = [Signal(nb, name=f"sw_i{k}") for k in range(1, self.in_flight + 1)]
        sw_vw, sw_iw = sw_v[-1], sw_ix[-1]  # the write stage
        st_q = Signal(lay["state_bits"])
        in_q = Signal(signed(cfg.acc_width))
        next_q = Signal(lay["state_bits"])
        spike_q = Signal()
        a_in = acc_r.data
        if cfg.input_shift or cfg.bias:  # the input to the neuron: ovf((acc << s) + bias)
            a_in = overflow((a_in << cfg.input_shift) + (bias_r.data if cfg.bias else 0),
                            cfg.acc_width, cfg.acc_overflow)
        m.d.sync += [sw_v[0].eq(sw_issue), sw_ix[0].eq(sw_i), st_q.eq(st_r.data),
                     in_q.eq(a_in)]
        m.d.sync += [a.eq(b) for a, b in zip(sw_v[1:] + sw_ix[1:], sw_v[:-1] + sw_ix[:-1])]
        with m.If(sw_issue):
            m.d.sync += sw_i.eq(sw_i + 1)
            with m.If(sw_i == n - 1):
                m.d.sync += sw_active.eq(0)
        offset = 0
        next_fields = []
        fields = {}  # state port -> its slice of the registered next-state word
        for s in states:
            value = st_q[offset:offset + s.width]
            if cfg.xylo and s.name == "syn":  # the accumulator is syn
                value = in_q
            m.d.comb += getattr(dp, s.name).eq(value)
            next_fields.append(getattr(dp, s.name + "_next")[:s.width])
            fields[s.name] = next_q[offset:offset + s.width]
            offset += s.width
        for q in p.input_ports():
            m.d.comb += getattr(dp, q.name).eq(
                in_q if q.name == cfg.input_port and not cfg.xylo else 0)
        m.d.sync += [next_q.eq(Cat(*next_fields)), spike_q.eq(dp.spike & sw_v[-2])]
        fifo_room = self._fifo_room(m, fifo)
        spikes = Signal(range(n + 1))  # spikes listed in this timestep
        pushed = sw_vw & spike_q
        tw = cfg.time_width
        count_q = fields["count"] if cfg.xylo else Const(0, 0)
        m.d.comb += [
            fifo.w_data.eq(Cat(sw_iw, self.timestep, count_q)),
            fifo.w_en.eq(pushed),
            self.out_valid.eq(fifo.r_rdy),
            self.out_neuron.eq(fifo.r_data[:nb]),
            self.out_time.eq(fifo.r_data[nb:nb + tw]),
            fifo.r_en.eq(self.out_ready),
        ]
        if cfg.xylo:
            m.d.comb += self.out_count.eq(fifo.r_data[nb + tw:])
        if cfg.recurrent:
            m.d.comb += [sl_w.addr.eq(spikes), sl_w.data.eq(Cat(sw_iw, count_q)),
                         sl_w.en.eq(pushed)]
            with m.If(pushed):
                m.d.sync += spikes.eq(spikes + 1)

        # --- state and accumulator ports: sweep, row add or bus ------------------------
        m.d.comb += [
            st_r.addr.eq(Mux(idle, low[:nb], sw_i)),
            st_w.addr.eq(Mux(idle, low[:nb], sw_iw)),
            st_w.data.eq(Mux(idle, self.bus_wdata, next_q)),
            st_w.en.eq(Mux(idle, bus_write & (region == REGION_STATE), sw_vw)),
            acc_w.addr.eq(Mux(idle, low[:nb], Mux(sw_vw, sw_iw, ra_j3))),
            acc_w.data.eq(Mux(idle, self.bus_wdata[:cfg.acc_width],
                              Mux(sw_vw, fields["syn"] if cfg.xylo else 0, ra_sum))),
            acc_w.en.eq(Mux(idle, bus_write & (region == REGION_ACC) & ~status,
                            sw_vw | ra_v3)),
        ]
        if cfg.bias:  # written over the bus only; read with the state in the sweep
            m.d.comb += [bias_r.addr.eq(st_r.addr), bias_w.addr.eq(low[:nb]),
                         bias_w.data.eq(self.bus_wdata[:cfg.acc_width]),
                         bias_w.en.eq(bus_write & (region == REGION_BIAS))]
        with m.If(idle):
            m.d.comb += acc_r.addr.eq(low[:nb])
        with m.Elif(ra_issue):
            m.d.comb += acc_r.addr.eq(ra_j)
        with m.Else():
            m.d.comb += acc_r.addr.eq(sw_i)

        # --- phases ---------------------------------------------------------------------
        rec_k = Signal(range(n + 1))
        row_base = Signal(wab)
        m.d.comb += self.busy.eq(~idle)
        with m.FSM(name="phase"):
            with m.State("IDLE"):
                m.d.comb += [idle.eq(1), self.in_ready.eq(~self.start)]
                with m.If(self.start):
                    if cfg.xylo and cfg.recurrent:  # last timestep's rows come first
                        m.d.sync += rec_k.eq(0)
                        m.next = "RECUR"
                    else:
                        m.d.sync += [sw_i.eq(0), sw_active.eq(1), spikes.eq(0)]
                        m.next = "SWEEP"
                with m.Elif(self.in_valid & (self.in_source < cfg.inputs)):
                    m.d.sync += [ra_j.eq(0), ra_active.eq(1), in_rec.eq(0),
                                 w_ptr.eq(_index_times(self.in_source, n, wab))]
                    if cfg.xylo:
                        m.d.sync += row_count.eq(self.in_count)
                    m.next = "ROWADD"
            with m.State("ROWADD"):
                m.d.comb += ra_issue.eq(ra_active & ~w_we)
                with m.If(~ra_active & ~ra_v1 & ~ra_v2 & ~ra_v3):
                    m.next = "IDLE"
                    if cfg.recurrent:
                        with m.If(in_rec):
                            m.next = "RECUR"
            with m.State("SWEEP"):
                m.d.comb += sw_issue.eq(sw_active & fifo_room)
                with m.If(~sw_active & ~Cat(*sw_v).any()):
                    m.d.sync += rec_k.eq(0)
                    m.next = "RECUR" if cfg.recurrent and not cfg.xylo else "FINISH"
            if cfg.recurrent:
                with m.State("RECUR"):
                    m.d.comb += sl_r.addr.eq(rec_k)
                    with m.If(rec_k == spikes):
                        if cfg.xylo:  # then this timestep's sweep lists anew
                            m.d.sync += [sw_i.eq(0), sw_active.eq(1), spikes.eq(0)]
                            m.next = "SWEEP"
                        else:
                            m.next = "FINISH"
                    with m.Else():
                        m.next = "RECUR_ROW"
                with m.State("RECUR_ROW"):  # sl_r.data holds the listed neuron
                    m.d.sync += [ra_j.eq(0), ra_active.eq(1), in_rec.eq(1), rec_k.eq(rec_k + 1),
                                 w_ptr.eq(row_base)]
                    if cfg.xylo:
                        m.d.sync += row_count.eq(sl_r.data[nb:])
                    m.next = "ROWADD"
                m.d.comb += row_base.eq(cfg.inputs * n + _index_times(sl_r.data[:nb], n, wab))
            with m.State("FINISH"):
                m.d.comb += self.done.eq(1)
                m.d.sync += self.timestep.eq(self.timestep + 1)
                m.next = "IDLE"
        return m


def emit_core(config: CoreConfig, *, fifo_depth: int = 16, pipelined: bool = False,
              levels: int = 2) -> str:
    """Verilog of :class:`~rtl_gen.core.NeuronCore` (module ``neurocore_core``) with a
    header comment naming the configuration."""
    lay = core_layout(config)
    core = NeuronCore(config=config, fifo_depth=fifo_depth, pipelined=pipelined,
                      levels=levels)
    datapath = (f"pipelined datapath, {levels} adder levels per stage, latency "
                f"{core.latency}" if pipelined else "combinational datapath")
    lines = [f"neurocore-hw population core; model {config.model}; {datapath}; do not edit.",
             f"neurons {config.neurons}, inputs {config.inputs}, recurrent "
             f"{config.recurrent}, weight_width {config.weight_width}, acc_width "
             f"{config.acc_width} ({config.acc_overflow}), input_port {config.input_port}, "
             f"time_width {config.time_width}, fifo_depth {fifo_depth}" +
             (f", input_shift {config.input_shift}, bias registers {config.bias}"
              if config.input_shift or config.bias else "") +
             (f", Xylo synapses (weight_shift {config.weight_shift}, recurrent_shift "
              f"{config.recurrent_shift})" if config.xylo else ""),
             f"model parameters: {config.params!r}",
             f"weight words {lay['weight_words']}, state word {lay['state_bits']} bits, "
             f"bus address {lay['bus_addr_bits']} bits, bus data {lay['bus_data_bits']} bits"]
    text = strip_weight_init(verilog.convert(core, name=CORE_TOP, emit_src=False))
    return "".join(f"// {line}\n" for line in lines) + text
