#!/usr/bin/env bash
# Runs the shared peer benchmark (../shared/bench) with `because` added to the same run, and
# prints the table plus the ratios of `because` to the peers measured in that run.
#
# usage: benches/peers.sh [--quick] [--small] [--runs N] [--peers swipl,datafrog,...] [--datasets a,b]
#
# Besides the shared suite (`gen.py --default`) it generates the larger sizes that show how each
# engine grows with the work: chains of 3,000 and 4,000 nodes (4.5M and 8M paths) and random
# graphs of 1,000/2,000 and 4,000/8,000 (10.25M paths); `--small` leaves them out. `because` runs
# twice: with the machine's threads (`because`) and single-threaded (`because1`,
# `BECAUSE_THREADS=1`).
#
# Needs: python3, /usr/bin/time (GNU time); optional peers: `apt-get install swi-prolog-nox`
# and the hand-written Rust bounds, built once with
#   cargo build --release --manifest-path ../shared/bench/rust-bounds/Cargo.toml --target-dir /tmp/rust-bounds
# Figures go to $OUT (default /tmp/bench-results/<timestamp>) and to stdout. BECAUSE_BIN=path
# measures that binary instead of building this tree.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="${BENCH:-$HERE/../shared/bench}"
export RUST_BOUNDS="${RUST_BOUNDS:-/tmp/rust-bounds/release/rust-bounds}"
PEERS=""
for p in swipl datafrog ascent crepe; do
    case $p in
        swipl) command -v swipl >/dev/null 2>&1 && PEERS="$PEERS,swipl" ;;
        *) [ -x "$RUST_BOUNDS" ] && PEERS="$PEERS,$p" ;;
    esac
done
PEERS="${PEERS#,}"
ARGS=()
LARGE=1
QUICK=0
while [ $# -gt 0 ]; do
    case "$1" in
        --peers) PEERS=$2; shift 2 ;;
        --small) LARGE=0; shift ;;
        --quick) QUICK=1; ARGS+=("$1"); shift ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
# The data: the shared suite plus the larger sizes, generated here and handed over with --no-gen.
if [ "$QUICK" = 0 ]; then
    export DATA="${DATA:-/tmp/bench-data}"
    GENARGS=(--default)
    if [ "$LARGE" = 1 ]; then
        GENARGS=(--tc-chain 1000,2000,3000,4000 --tc-rand 1000:2000,1000:5000,2000:4000,4000:8000
            --sg 50:150:2 --neg 200000:300000 --load 1000000)
    fi
    rm -rf "$DATA"
    python3 "$BENCH/gen.py" "$DATA" --seed 42 "${GENARGS[@]}" >/dev/null
    ARGS+=(--no-gen)
fi
TARGET="${CARGO_TARGET_DIR:-$HERE/target}"
# BECAUSE_BIN: measure that binary (a saved build) instead of building this tree.
if [ -n "${BECAUSE_BIN:-}" ]; then
    BIN="$BECAUSE_BIN"
else
    cargo build --release --manifest-path "$HERE/Cargo.toml" --quiet --bin because
    BIN="$TARGET/release/because"
fi
export OUT="${OUT:-/tmp/bench-results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
# `because run` prints a TSV header line (`R<TAB>C`) that the count parser skips, then
# `relation<TAB>count` lines.
"$BENCH/run_peers.sh" --peers "${PEERS:-none}" \
    --extra "because=sh -c 'cp {bench}/because/{work}.kb {data}/prog.kb && exec $BIN run --quiet --format tsv --timeout 0 --max-facts 0 {data}/prog.kb'" \
    --extra "because1=sh -c 'cp {bench}/because/{work}.kb {data}/prog.kb && BECAUSE_THREADS=1 exec $BIN run --quiet --format tsv --timeout 0 --max-facts 0 {data}/prog.kb'" \
    "${ARGS[@]}"
python3 "$HERE/benches/ratios.py" "$OUT/results.json"
