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
}


def main(path):
    rows = json.load(open(path))["results"]
    by = {}
    for r in rows:
        if r.get("status") == "ok":
            by.setdefault(r["dataset"], {})[r["peer"]] = (r["median_s"], r["rss_mib"])
    print()
    print("| dataset | because s / MiB | vs swipl (time) | vs datafrog (time) | Soufflé interp est. s | because / Soufflé time | because / Soufflé memory |")
    print("|---|---|---|---|---|---|---|")
    for ds, peers in by.items():
        b = peers.get("because")
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
        print(f"| {ds} | {b[0]:.3f} / {b[1]:.0f} | {cell('swipl')} | {cell('datafrog')} | {est_s} | {t_ratio} | {m_ratio} |")


if __name__ == "__main__":
    main(sys.argv[1])
