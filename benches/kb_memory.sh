#!/usr/bin/env bash
# Memory per fact: the same rows stated as one-line facts in a `.kb` file (`p(7, "t7").`) and
# loaded from a TSV file (`7<TAB>t7`). For each path, `because check` (read and check) and
# `because query ... 'p(0, X)'` (read, check, evaluate, answer), each run under
# `/usr/bin/time -v`. Prints the peak resident memory (VmHWM), the seconds, the bytes per fact
# over the same command on a one-fact file, and the ratio of `.kb` to TSV (issue 20 asks for at
# most 4x).
#
# usage: benches/kb_memory.sh [BINARY] [FACTS]   (default: target/release/because, 1000000)
# Figures are in docs/PERFORMANCE.md ("Memory per `.kb` fact").
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$HERE/target/release/because}"
N="${2:-1000000}"
DIR="$(mktemp -d /tmp/kb_memory.XXXXXX)"
trap 'rm -rf "$DIR"' EXIT
python3 - "$N" "$DIR" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
with open(f"{d}/facts.kb", "w") as f:
    f.write("".join(f'p({i}, "t{i}").\n' for i in range(n)))
with open(f"{d}/rows.tsv", "w") as f:
    f.write("".join(f"{i}\tt{i}\n" for i in range(n)))
with open(f"{d}/tsv.kb", "w") as f:
    f.write('load p from "rows.tsv".\n')
with open(f"{d}/one.kb", "w") as f:
    f.write('p(0, "t0").\n')
PY
# `measure COMMAND FILE`: the peak RSS in KiB and the elapsed time of one run.
measure() {
    local args=("$1" "$2")
    [ "$1" = query ] && args=(query -f "$2" --format tsv 'p(0, X)')
    /usr/bin/time -v -o "$DIR/time" "$BIN" "${args[@]}" >"$DIR/out" 2>"$DIR/err"
    if [ "$1" = query ] && ! grep -q '^t0$' "$DIR/out"; then
        echo "wrong answer from $2:" >&2
        cat "$DIR/out" "$DIR/err" >&2
        exit 1
    fi
    echo "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time")" \
        "$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/time")"
}
for command in check query; do
    read -r base _ < <(measure "$command" "$DIR/one.kb")
    read -r kb kb_secs < <(measure "$command" "$DIR/facts.kb")
    read -r tsv tsv_secs < <(measure "$command" "$DIR/tsv.kb")
    for path in .kb TSV; do
        if [ "$path" = .kb ]; then kib=$kb secs=$kb_secs; else kib=$tsv secs=$tsv_secs; fi
        printf '%-5s %-4s %8d facts %7.1f MiB peak RSS %6.1f bytes/fact %9s s\n' "$command" "$path" "$N" \
            "$(echo "$kib / 1024" | bc -l)" "$(echo "($kib - $base) * 1024 / $N" | bc -l)" "$secs"
    done
    printf '%-5s ratio %.2fx (.kb / TSV, each over the one-fact run of %.1f MiB)\n' "$command" \
        "$(echo "($kb - $base) / ($tsv - $base)" | bc -l)" "$(echo "$base / 1024" | bc -l)"
done
