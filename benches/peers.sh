#!/usr/bin/env bash
# Runs the shared peer benchmark (../shared/bench) with `because` added to the same run, and
# prints the table plus the ratios of `because` to the peers measured in that run.
#
# usage: benches/peers.sh [--quick] [--runs N] [--peers swipl,datafrog,...] [--datasets a,b]
#
# Needs: python3, /usr/bin/time (GNU time); optional peers: `apt-get install swi-prolog-nox`
# and the hand-written Rust bounds, built once with
#   cargo build --release --manifest-path ../shared/bench/rust-bounds/Cargo.toml --target-dir /tmp/rust-bounds
# Figures go to $OUT (default /tmp/bench-results/<timestamp>) and to stdout.
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
while [ $# -gt 0 ]; do
    case "$1" in
        --peers) PEERS=$2; shift 2 ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
TARGET="${CARGO_TARGET_DIR:-$HERE/target}"
cargo build --release --manifest-path "$HERE/Cargo.toml" --quiet --bin because
BIN="$TARGET/release/because"
export OUT="${OUT:-/tmp/bench-results/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
# `because run` prints a TSV header line (`R<TAB>C`) that the count parser skips, then
# `relation<TAB>count` lines.
"$BENCH/run_peers.sh" --peers "${PEERS:-none}" \
    --extra "because=sh -c 'cp {bench}/because/{work}.kb {data}/prog.kb && exec $BIN run --quiet --format tsv --timeout 0 --max-facts 0 {data}/prog.kb'" \
    "${ARGS[@]}"
python3 "$HERE/benches/ratios.py" "$OUT/results.json"
