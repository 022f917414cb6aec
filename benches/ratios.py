#!/usr/bin/env python3
"""Prints `because` against the peers of one run of ../shared/bench (results.json).

Soufflé and Nemo cannot be run here, so their figures come from the reference run in
../shared/bench/RESULTS.md (same machine kind). To tie this run to that table, each reference
figure is scaled by how this run's SWI-Prolog and Datafrog compare with theirs in the reference
run; the estimate is the geometric mean of the two scalings (or the one available).
"""
import json
import math
import sys

# Reference run (../shared/bench/RESULTS.md, run 2): median wall s / peak RSS MiB.
REF = {
    "tc_chain_1000": {"swipl": (0.376, 145), "souffle-interp": (0.179, 18), "datafrog": (0.076, 12)},
    "tc_chain_2000": {"swipl": (1.664, 592), "souffle-interp": (0.927, 32), "datafrog": (0.377, 38)},
    "tc_rand_1000_5000": {"swipl": (5.352, 257), "souffle-interp": (0.662, 30), "datafrog": (0.337, 43)},
    "tc_rand_2000_4000": {"swipl": (5.950, 734), "souffle-interp": (1.077, 45), "datafrog": (0.474, 50)},
    "sg_50_150_2": {"swipl": (2.307, 284), "souffle-interp": (0.915, 35), "datafrog": (0.225, 37)},
    "neg_200000_300000": {"swipl": (2.523, 230), "souffle-interp": (0.294, 19), "datafrog": (0.075, 18)},
    "load_1000000": {"swipl": (4.860, 325), "souffle-interp": (1.152, 50), "datafrog": (0.501, 38)},
    # The larger sizes: the scaling run of 2026-12-01 (../shared/bench/results/scale-2026-12-01-table.md,
    # median of 3), which measured Soufflé's interpreter and Datafrog only.
    "tc_chain_3000": {"souffle-interp": (2.027, 57), "datafrog": (0.794, 89)},
    "tc_chain_4000": {"souffle-interp": (3.858, 92), "datafrog": (1.619, 147)},
    "tc_rand_1000_2000": {"souffle-interp": (0.212, 20), "datafrog": (0.093, 16)},
    "tc_rand_4000_8000": {"souffle-interp": (3.414, 150), "datafrog": (1.581, 205)},
}


def main(path):
    rows = json.load(open(path))["results"]
    by = {}
    paths = {}
    for r in rows:
        if r.get("status") == "ok":
            by.setdefault(r["dataset"], {})[r["peer"]] = (r["median_s"], r["rss_mib"])
            count = r.get("counts", {}).get("path")
            if count:
                paths[r["dataset"]] = count
    print()
    print("| dataset | engine | s / MiB | vs swipl (time) | vs datafrog (time) | Soufflé interp est. s | / Soufflé time | / Soufflé memory |")
    print("|---|---|---|---|---|---|---|---|")
    for ds, peers in by.items():
        for engine in ("because", "because1"):
            b = peers.get(engine)
            if not b:
                continue
            ref = REF.get(ds, {})
            scales = []
            for p in ("swipl", "datafrog"):
                if p in peers and p in ref:
                    scales.append(peers[p][0] / ref[p][0])
            cell = lambda p: f"{b[0] / peers[p][0]:.2f}x" if p in peers else "-"
            if scales and "souffle-interp" in ref:
                scale = math.exp(sum(math.log(s) for s in scales) / len(scales))
                est = ref["souffle-interp"][0] * scale
                t_ratio = f"{b[0] / est:.2f}x"
                est_s = f"{est:.3f}"
            else:
                t_ratio, est_s = "-", "-"
            m_ratio = f"{b[1] / ref['souffle-interp'][1]:.2f}x" if "souffle-interp" in ref else "-"
            print(f"| {ds} | {engine} | {b[0]:.3f} / {b[1]:.0f} | {cell('swipl')} | {cell('datafrog')} | {est_s} | {t_ratio} | {m_ratio} |")

    # Growth with the work: time and memory per million paths of the closure, per engine, and
    # how the 8M-path chain compares with the 2M-path one.
    tc = [ds for ds in by if ds in paths and ds.startswith("tc_")]
    engines = sorted({e for ds in tc for e in by[ds]})
    if not tc:
        return
    print()
    print("| dataset | paths | " + " | ".join(f"{e} s/Mpath, bytes/path" for e in engines) + " |")
    print("|---|---|" + "---|" * len(engines))
    for ds in tc:
        n = paths[ds]
        cells = []
        for e in engines:
            if e in by[ds]:
                s, mib = by[ds][e]
                cells.append(f"{s / n * 1e6:.3f}, {mib * 2**20 / n:.1f}")
            else:
                cells.append("-")
        print(f"| {ds} | {n / 1e6:.2f}M | " + " | ".join(cells) + " |")
    a, b = "tc_chain_2000", "tc_chain_4000"
    if a in by and b in by:
        growth = [f"{e} {by[b][e][0] / by[a][e][0]:.1f}x" for e in engines if e in by[a] and e in by[b]]
        ref = REF[b]["souffle-interp"][0] / 0.839  # Soufflé's 2M chain in the same scaling run
        print(f"\nchain 2M -> 8M paths, time: {', '.join(growth)} (Soufflé interpreter, reference: {ref:.1f}x)")


if __name__ == "__main__":
    main(sys.argv[1])
