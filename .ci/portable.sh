#!/usr/bin/env bash
# The portable core: the library alone depends on no front-end crate, and the library compiled
# to WebAssembly (wasm32-wasip1) prints the same headline answers and proof as the native binary.
# Needs the wasm32-wasip1 target and the `wasmtime` package from PyPI (`.ci/run` installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. No clap, rustyline, libc or LSP crate in the library's own dependency tree.
tree=$(cargo tree --no-default-features -e normal,no-proc-macro --prefix none)
if grep -E '^(clap|clap_complete|clap_mangen|rustyline|libc|lsp-server|lsp-types) ' <<<"$tree"; then
    echo "portable: the library depends on a front-end crate (above)" >&2
    exit 1
fi

# 2. The WebAssembly example against the native binary.
cargo build --quiet --example wasm_query --target wasm32-wasip1 --no-default-features
cargo build --quiet --bin because
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
{
    target/debug/because query 'endured(rok_us_alliance, P)'
    target/debug/because query 'why endured(rok_us_alliance, post_cold_war)'
} >"$out/native"
python3 .ci/wasm_run.py target/wasm32-wasip1/debug/examples/wasm_query.wasm >"$out/wasm"
if ! diff -u "$out/native" "$out/wasm"; then
    echo "portable: the WebAssembly example and the native binary disagree (diff above)" >&2
    exit 1
fi
echo "portable: library tree clean; wasm32-wasip1 output identical to native ($(wc -l <"$out/wasm") lines)"
