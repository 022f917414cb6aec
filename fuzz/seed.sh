#!/bin/sh
# Fills fuzz/corpus/<target>/ with seeds from the test data. Run from anywhere.
set -eu
cd "$(dirname "$0")"
data=../tests/data
for t in parse check eval why table roundtrip repl; do mkdir -p "corpus/$t"; done
for f in $(find "$data" -name '*.kb'); do
    name=$(echo "${f#$data/}" | tr '/' '_')
    cp "$f" "corpus/parse/$name"
    cp "$f" "corpus/check/$name"
    cp "$f" "corpus/eval/$name"
    # `why`: each query line of the file, without the `?-`.
    grep -h '^?-' "$f" | sed 's/^?- *//' | while IFS= read -r q; do
        printf '%s' "$q" > "corpus/why/$(printf '%s' "$q" | cksum | cut -d' ' -f1)"
    done
done
for q in 'why path(a, X)' 'why not path(d, a)' 'why heavy(X)' 'why total(S)' 'why n_paths(X, C)' \
         'why strong(b)' 'why served(P) @ T' 'why not lonely(b)' 'lonely(X)' 'why not heavy(c)'; do
    printf '%s' "$q" > "corpus/why/$(printf '%s' "$q" | cksum | cut -d' ' -f1)"
done
# `table`: the first byte picks TSV (even) or CSV (odd) and a header line (bit 2).
for f in $(find "$data" -name '*.tsv' -o -name '*.csv'); do
    name=$(echo "${f#$data/}" | tr '/' '_')
    case "$f" in *.csv) first='\001' ;; *) first='\000' ;; esac
    { printf "$first"; cat "$f"; } > "corpus/table/$name"
done
# `repl`: the piped REPL sessions of the tests, and a few commands.
for f in "$data"/repl/*.repl; do
    cp "$f" "corpus/repl/$(basename "$f")"
done
printf ':assert p(a).\np(X).\n:retract p(a).\n:facts p\n' > corpus/repl/assert
printf ':why path(a, X)\n:whynot path(d, a)\n:format json\nwhy heavy(X).\n' > corpus/repl/why
printf ':whatif -edge(a, b) : path(a, X)\n:graph --central\n:describe\n:preds\n:time on\n' > corpus/repl/misc
