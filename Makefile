# neurocore-hw: thin wrapper over the CLI and pytest. On a fresh machine `make sim` and
# `make test` are the only two commands anyone needs: both install first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: install verilog sim soak mutants test lint synth bench peers conformance docs codesign \
        clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,synth]"
	touch $(STAMP)

install: $(STAMP)

verilog: $(STAMP)
	$(BIN)/neurocore-hw generate --all --outdir build/verilog

CORE_COSIM = $(BIN)/neurocore-hw core cosim --model lif --param gain_k=256
# the checkout's Verilator build cache, shared with `make test` (the CLI's default is the
# user's cache folder)
sim: export NEUROCORE_HW_BUILD_DIR := $(CURDIR)/build/cosim
sim: verilog
	$(BIN)/neurocore-hw cosim --all
	$(CORE_COSIM) --neurons 64 --inputs 32 --recurrent --acc-overflow saturate --steps 200 \
	  --read-every-step --stall 128
	$(CORE_COSIM) --neurons 256 --inputs 64 --recurrent --steps 100 --stall 128 --pipelined
	$(CORE_COSIM) --neurons 1024 --inputs 128 --steps 100 --pipelined
	$(CORE_COSIM) --neurons 1024 --inputs 64 --recurrent --acc-overflow saturate --steps 100

# Soak (outside CI): every preset of every model and every variant, 1e6 cycles each in the
# bulk bench (segments of up to 131,072 cycles, successive seeds), every cycle compared.
soak: export NEUROCORE_HW_BUILD_DIR := $(CURDIR)/build/cosim
soak: $(STAMP)
	$(BIN)/neurocore-hw cosim --all --mode bulk --cycles 1000000 --seed 1000

# Mutation analysis (outside CI): operator mutants of every model's emitted Verilog (default
# preset, every variant) against the bulk bench; survivors get the datapath check at every
# state, then Yosys equivalence; kill rates into docs/mutants.md. Units with more than
# MUTANT_SAMPLE mutants (the Izhikevich units) run a random sample of them (about 50 min
# on a quiet 2-core machine; MUTANT_SAMPLE=100000 runs all, about 2.5 h).
MUTANT_SAMPLE ?= 300
mutants: export NEUROCORE_HW_BUILD_DIR := $(CURDIR)/build/cosim
mutants: $(STAMP)
	$(BIN)/neurocore-hw mutants --all --jobs $(JOBS) --sample $(MUTANT_SAMPLE) \
	    --markdown docs/mutants.md --json build/mutants.json

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --durations=30 tests

lint: $(STAMP)
	$(BIN)/ruff check .

MODEL_NAMES = $(BIN)/python -c "from neurocore_hw.registry import MODELS; print(*MODELS)"

# Resources page: every model's default preset synthesized for every target and placed
# and routed on UP5K, HX8K and ECP5 25k (docs/resources.md).
synth: $(STAMP)
	$(BIN)/neurocore-hw synth --all --seeds 1 --jobs $(JOBS) --page docs/resources.md

# Peer simulators, each in its own environment (never the project's): Brian2 2.9 needs
# numpy < 2; snnTorch and Norse run on the CPU build of torch (Norse without its
# torchvision extra, which only its example tasks import).
PEERS := build/peers
$(PEERS)/brian2/.installed:
	$(PYTHON) -m venv $(PEERS)/brian2
	$(PEERS)/brian2/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/brian2/bin/python -m pip install --quiet "brian2==2.9.*" "numpy<2"
	touch $@
$(PEERS)/torch/.installed:
	$(PYTHON) -m venv $(PEERS)/torch
	$(PEERS)/torch/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/torch/bin/python -m pip install --quiet torch==2.13.0 snntorch nir scikit-learn
	$(PEERS)/torch/bin/python -m pip install --quiet --no-deps norse nirtorch
	touch $@
peers: $(PEERS)/brian2/.installed $(PEERS)/torch/.installed
# Rockpool with SynSense's XyloSim (xylosim builds from source with g++ and pybind11), and
# Lava 0.10, which needs Python 3.10 (skipped with a message when there is none).
$(PEERS)/rockpool/.installed:
	$(PYTHON) -m venv $(PEERS)/rockpool
	$(PEERS)/rockpool/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/rockpool/bin/python -m pip install --quiet "rockpool==3.1.*" "xylosim==0.1.3" \
	    "numpy<2"
	touch $@
PYTHON310 ?= $(shell command -v python3.10 2>/dev/null)
$(PEERS)/lava/.installed:
	$(PYTHON310) -m venv $(PEERS)/lava
	$(PEERS)/lava/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/lava/bin/python -m pip install --quiet "lava-nc==0.10.*"
	touch $@

# Conformance (outside CI): the xylo model against XyloSim, cuba_lif (loihi) against Lava's
# bit-accurate Loihi LIF, each on random and corner inputs, with deliberately wrong models
# that must fail (docs/conformance.md); the float references of exp_lif, adex and coba_lif
# against Norse's own steps.
conformance: $(STAMP) $(PEERS)/rockpool/.installed $(PEERS)/torch/.installed
	$(BIN)/python docs/scripts/xylo_conformance.py --teeth --json build/conformance-xylo.json
	$(BIN)/python docs/scripts/norse_families.py --json build/norse-families.json
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "lava-nc 0.10 needs Python 3.10 and none was found: Lava conformance skipped"; \
	else \
	  $(MAKE) --no-print-directory $(PEERS)/lava/.installed && \
	  $(BIN)/python docs/scripts/lava_conformance.py --teeth \
	    --json build/conformance-lava.json; \
	fi

# Engine throughput on one thread, every model; then the engine against the peers
# (written into docs/benchmarks.md).
bench: $(STAMP) peers
	for m in $$($(MODEL_NAMES)); do \
	  for n in 1000 100000 1000000; do \
	    steps=$$([ $$n -ge 1000000 ] && echo 200 || echo 1000); \
	    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	      $(BIN)/neurocore-hw bench $$m --neurons $$n --steps $$steps || exit 1; \
	  done; \
	done
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python docs/scripts/bench_compare.py
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python docs/scripts/bench_compare.py --families
	OMP_NUM_THREADS=1 $(BIN)/python docs/scripts/family_roofline.py
	OMP_NUM_THREADS=1 $(BIN)/python docs/scripts/sc_engine.py
	OMP_NUM_THREADS=1 $(BIN)/python docs/scripts/lif_kernels.py
	OMP_NUM_THREADS=1 $(BIN)/python docs/scripts/sc_study.py --speed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python docs/scripts/nir_study.py
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python docs/scripts/network_bench.py

# Re-measure the fidelity tables and plots in docs/.
docs: $(STAMP)
	$(BIN)/python docs/scripts/lif_fidelity.py
	$(BIN)/python docs/scripts/izhikevich_fidelity.py
	$(BIN)/python docs/scripts/families_accuracy.py
	$(BIN)/python docs/scripts/exp_study.py
	$(BIN)/python docs/scripts/exp_families_study.py
	$(BIN)/python docs/scripts/coba_lif_study.py
	$(BIN)/python docs/scripts/frac_lif_study.py
	$(BIN)/python docs/scripts/sc_study.py

# Codesign sweeps of docs/codesign.md: fidelity against iCE40/ECP5 cost with Pareto fronts,
# on a local Dask cluster of $(JOBS) workers, cached in build/explore-cache (a re-run
# reuses every finished job); then the cluster and cache speed measurement.
EXPLORE = $(BIN)/neurocore-hw explore --workers $(JOBS)
CD = docs/codesign
codesign: $(STAMP)
	$(EXPLORE) lif --real tau_mem=20ms --real v_threshold=1.0 --widths 6:24:2 --int-bits 4 \
	  --targets ice40,ecp5 --devices up5k,ecp5-25k \
	  -o $(CD)/lif.json --markdown $(CD)/lif.md --plot $(CD)/lif.png
	for p in rs fs; do \
	  $(EXPLORE) izhikevich --preset $$p --widths 14:24:2 --int-bits 9 \
	    --grid coef_frac=12,16,20 --targets ice40-dsp,ecp5 --metric rate_accuracy \
	    --goal 0.99 -o $(CD)/izhikevich_$$p.json --markdown $(CD)/izhikevich_$$p.md \
	    --plot $(CD)/izhikevich_$$p.png || exit 1; \
	done
	$(EXPLORE) --nir docs/data/digits_rcuba.nir --dt 1e-4 --reset subtract \
	  --input docs/data/digits_test.npz --labels label --weight-widths 2:12 \
	  --targets ice40,ecp5 -o $(CD)/digits.json --markdown $(CD)/digits.md \
	  --plot $(CD)/digits.png
	$(BIN)/python docs/scripts/explore_speed.py --rounds 2 --workers $(JOBS)

clean:
	rm -rf build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path "./$(VENV)/*" -exec rm -rf {} +
