#!/usr/bin/env python3
"""Runs a WASI command module (wasm32-wasip1) under wasmtime with stdout and stderr inherited.

Usage: wasm_run.py MODULE.wasm. Exits with the module's exit code.
"""
import sys

import wasmtime


def main() -> int:
    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, sys.argv[1])
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.argv = [sys.argv[1]]
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
