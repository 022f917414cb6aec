#!/usr/bin/env python3
"""Regenerates the example outputs in README.md from real runs of the debug binary.

Usage: cargo build && python3 docs/tools/readme.py [--check]
With --check nothing is written: it lists the files that differ from what it would write and
exits 1 (tests/readme.rs runs it so). BECAUSE_BIN names the binary (default ./target/debug/because).
The README template is docs/tools/README.template.md; `{{run: ARGS}}` is replaced by the output of
`because ARGS` (shell-split), `{{file: PATH}}` by the file's text.

It also writes the pictures and the example evidence page that the README links (FILES below),
each the output of one run of `because`: no Graphviz or other tool is needed.
"""
import os
import re
import shlex
import subprocess
import sys

ROOT = __file__.rsplit("/docs/tools/", 1)[0]
BIN = os.environ.get("BECAUSE_BIN", "./target/debug/because")
CHECK = "--check" in sys.argv[1:]
STALE = []


def write(path, text):
    """Writes `text` to `path` under ROOT, or with --check records the path when it differs."""
    full = f"{ROOT}/{path}"
    if CHECK:
        try:
            current = open(full).read()
        except OSError:
            current = None
        if current != text:
            STALE.append(path)
        return
    open(full, "w").write(text)
    print(f"{path} regenerated", file=sys.stderr)


def run(args, stdin=None):
    out = subprocess.run([BIN, *args], capture_output=True, text=True, input=stdin, cwd=ROOT)
    return out.stdout.rstrip()


def expand(match):
    kind, arg = match.group(1), match.group(2).strip()
    if kind == "file":
        return open(f"{ROOT}/{arg}").read().rstrip()
    if kind == "pipe":
        text, args = arg.split("|", 1)
        return run(shlex.split(args), stdin=text.encode().decode("unicode_escape"))
    return run(shlex.split(arg))


HEADLINE = "why endured(rok_us_alliance, post_cold_war)"
FILES = [
    ("docs/img/headline-proof.svg", ["query", HEADLINE, "--depth", "3", "--format", "svg"]),
    ("docs/img/alliance-graph.svg", ["graph", "--base-only", "--format", "svg"]),
    ("docs/headline-report.html", ["report", HEADLINE]),
    # An invented example whose source names its document, so its quotes open in their sentences.
    ("docs/harbour-report.html", ["report", "-f", "tests/data/report/harbour.kb", "why used(bridge)"]),
]

for path, args in FILES:
    out = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    write(path, out.stdout)

template = open(f"{ROOT}/docs/tools/README.template.md").read()
readme = re.sub(r"\{\{(run|file|pipe):(.*?)\}\}", expand, template)
write("README.md", readme)
if STALE:
    print("out of date (run `cargo build && python3 docs/tools/readme.py`): " + ", ".join(STALE), file=sys.stderr)
    sys.exit(1)
