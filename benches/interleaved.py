#!/usr/bin/env python3
"""Times `because` (one thread) against Datafrog's hand-written bound run by run, interleaved.

`benches/peers.sh` (the shared harness) runs each engine's repetitions one after another. On a
machine whose speed swings (this one's noise probe runs the same loop in 0.75 s or 1.6 s, in
spells of seconds), a median then compares one engine's fast spell with another's slow one. Here
the engines alternate within each repetition, in an order that rotates, and each repetition
gives a ratio of neighbours in time; the median of those ratios is what this prints, beside each
engine's median wall time and peak RSS (GNU time's).

usage: benches/interleaved.py [--runs N] [--data DIR] [--because BIN] [--old BIN] [DATASET ...]

DATASET is a directory under --data made by the shared `gen.py` (`tc_chain_1000`, `neg_200000_300000`,
...); its program is the shared one for its workload. Needs /usr/bin/time (GNU time) and the Rust bounds built as
`benches/peers.sh` says (RUST_BOUNDS). `--old BIN` adds a second `because` binary (a build of an
earlier commit) to the rotation, for before-and-after figures.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.environ.get("BENCH", os.path.join(HERE, "..", "shared", "bench"))
RUST_BOUNDS = os.environ.get("RUST_BOUNDS", "/tmp/rust-bounds/release/rust-bounds")
WORKS = {"tc_chain": "tc", "tc_rand": "tc", "sg": "sg", "neg": "neg", "load": "load"}


def work_of(dataset):
    for prefix, work in WORKS.items():
        if dataset.startswith(prefix + "_"):
            return work
    sys.exit(f"unknown workload for dataset {dataset}")


def timed(cmd, cwd, env):
    """Wall seconds and peak RSS (MiB) of one run; exits on failure. The peak is GNU time's:
    a child forked from this Python process would count Python's pages until its `exec`."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, int(err.split()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--data", default="/tmp/bench-data")
    ap.add_argument("--because", default=os.path.join(HERE, "target", "release", "because"))
    ap.add_argument("--old", help="an earlier build of because, measured too")
    ap.add_argument("datasets", nargs="*")
    args = ap.parse_args()
    datasets = args.datasets or sorted(d for d in os.listdir(args.data) if os.path.isdir(os.path.join(args.data, d)))
    env = dict(os.environ, BECAUSE_THREADS="1")
    print(f"runs: {args.runs}, interleaved; because: {args.because}" + (f", old: {args.old}" if args.old else ""))
    print("| dataset | datafrog s / MiB | because1 s / MiB | because1 / datafrog (median of per-run ratios) |"
          + (" old s / MiB | new / old |" if args.old else ""))
    print("|---|---|---|---|" + ("---|---|" if args.old else ""))
    for dataset in datasets:
        data = os.path.join(args.data, dataset)
        work = work_of(dataset)
        shutil.copy(os.path.join(BENCH, "because", f"{work}.kb"), os.path.join(data, "prog.kb"))
        run = ["run", "--quiet", "--format", "tsv", "--timeout", "0", "--max-facts", "0", "prog.kb"]
        engines = {"datafrog": [RUST_BOUNDS, "datafrog", work, data], "because1": [args.because, *run]}
        if args.old:
            engines["old"] = [args.old, *run]
        names = list(engines)
        times = {n: [] for n in names}
        rss = {n: [] for n in names}
        for r in range(args.runs):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                wall, mib = timed(engines[name], data, env)
                times[name].append(wall)
                rss[name].append(mib)
        med = {n: statistics.median(times[n]) for n in names}
        mem = {n: statistics.median(rss[n]) for n in names}
        ratio = statistics.median(b / d for b, d in zip(times["because1"], times["datafrog"]))
        line = (f"| {dataset} | {med['datafrog']:.3f} / {mem['datafrog']:.0f} | {med['because1']:.3f} / "
                f"{mem['because1']:.1f} | {ratio:.2f}x |")
        if args.old:
            vs_old = statistics.median(b / o for b, o in zip(times["because1"], times["old"]))
            line += f" {med['old']:.3f} / {mem['old']:.1f} | {vs_old:.2f}x |"
        print(line, flush=True)


if __name__ == "__main__":
    main()
