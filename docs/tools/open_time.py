#!/usr/bin/env python3
"""Measures how long the evidence page of the headline question takes to open in Chromium.

Usage: cargo build && python3 docs/tools/open_time.py [RUNS]
Writes the page with the debug binary, opens it RUNS times (default 10) in headless Chromium,
each with a fresh profile, and prints the page's own navigation timing (DOMContentLoaded and
the end of the load event, in ms from the start of navigation) as read by its #selftest hook,
plus the page's size. The figures go in docs/PERFORMANCE.md; no test asserts them.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = __file__.rsplit("/docs/tools/", 1)[0]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
CHROMIUM = os.environ.get("BECAUSE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,900", "--dump-dom"]

with tempfile.TemporaryDirectory() as tmp:
    page = f"{tmp}/headline.html"
    subprocess.run(["./target/debug/because", "report", "why endured(rok_us_alliance, post_cold_war)", "-o", page],
                   cwd=ROOT, check=True)
    loaded, ready = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as profile:
            dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"file://{page}#selftest"],
                                 capture_output=True, text=True).stdout
        found = re.search(r'<pre id="selftest">(.*?)</pre>', dom)
        if not found:
            sys.exit("the page's self-test did not report")
        timing = json.loads(found.group(1).replace("&quot;", '"'))["timing"]
        ready.append(timing["domContentLoaded"])
        loaded.append(timing["load"])
    print(f"page: {os.path.getsize(page)} bytes; {RUNS} runs")
    print(f"DOMContentLoaded: median {statistics.median(ready):.0f} ms, max {max(ready):.0f} ms")
    print(f"load event end:   median {statistics.median(loaded):.0f} ms, max {max(loaded):.0f} ms")
