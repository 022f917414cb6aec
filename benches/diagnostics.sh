#!/usr/bin/env bash
# Times `because check` on files built to stress diagnostics: many bad statements (parse-error
# recovery), many bad rules on one long line (checking and rendering), and many warnings.
# Each must grow linearly with its size: the figures for 10k, 40k and 160k should grow 4x at
# each step. Prints one line per case: size, seconds, peak RSS.
#
# usage: benches/diagnostics.sh [BINARY]   (default: target/release/because)
# Figures are in docs/PERFORMANCE.md ("Diagnostics at scale").
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$HERE/target/release/because}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT
run() {
    local name=$1 n=$2 file=$3
    /usr/bin/time -f "%e %M" -o "$DIR/time" "$BIN" check "$file" >/dev/null 2>&1 || true
    read -r secs kib <"$DIR/time"
    printf '%-28s %8d  %7.2f s  %6d MiB\n' "$name" "$n" "$secs" "$((kib / 1024))"
}
for n in 10000 40000 160000; do
    # One bad statement a line: each is reported (capped) and skipped.
    python3 -c "import sys; sys.stdout.write('p(a b).\n' * $n)" >"$DIR/bad.kb"
    run "bad statements, a line each" "$n" "$DIR/bad.kb"
    # Bad rules (an unbound head variable) on one line: errors on one long line.
    python3 -c "import sys; sys.stdout.write('q(a, b). ' + ''.join('p%d(X) :- q(Y, Y). ' % i for i in range($n)) + '\n')" >"$DIR/errors.kb"
    run "bad rules on one line" "$n" "$DIR/errors.kb"
    # Rules with a singleton variable on one line: warnings on one long line.
    python3 -c "import sys; sys.stdout.write('q(a, b). ' + ''.join('p%d(X) :- q(X, Y). ' % i for i in range($n)) + '\n')" >"$DIR/warnings.kb"
    run "warnings on one line" "$n" "$DIR/warnings.kb"
done
