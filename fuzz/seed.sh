#!/bin/sh
# Fills fuzz/corpus/<target>/ with seeds from the test data. Run from anywhere.
set -eu
cd "$(dirname "$0")"
data=../tests/data
for t in parse check eval why table; do mkdir -p "corpus/$t"; done
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
