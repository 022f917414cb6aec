#!/usr/bin/env python3
"""Latency of `because lsp`, measured as an editor sees it: from sending an edit to receiving
the diagnostics of the new text, and from sending a request to receiving its answer.

    cargo build --release && python3 benches/lsp_latency.py [path/to/because]

Cases: the shipped knowledge base (`facts/alliance/alliance.kb`, which includes the rest) and a
generated file of 100,000 facts (invented numbers, nothing about the alliance). Each edit
appends a comment, so the server checks a new text every time. Prints the median and the
slowest of the runs; the figures go in docs/PERFORMANCE.md. Nothing here is a test: it never
fails for being slow.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import queue
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/because")
RUNS = 15


class Client:
    def __init__(self):
        self.proc = subprocess.Popen([BINARY, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.incoming = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 1
        self.request("initialize", {"processId": None, "capabilities": {}, "rootUri": None})
        self.notify("initialized", {})

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.startswith(b"Content-Length:"):
                    length = int(line.split(b":")[1])
            self.incoming.put(json.loads(out.read(length)))

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, wanted):
        while True:
            m = self.incoming.get(timeout=600)
            if wanted(m):
                return m

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == i and "method" not in m)

    def diagnostics(self, uri):
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=60)


def uri_of(path):
    return "file://" + os.path.abspath(path).replace(" ", "%20")


def timed(f):
    start = time.perf_counter()
    f()
    return (time.perf_counter() - start) * 1000


def summary(name, samples):
    print(f"| {name} | {statistics.median(samples):.1f} ms | {max(samples):.1f} ms |")


def measure(label, path, hover_at, complete_at):
    text = open(path, encoding="utf-8").read()
    uri = uri_of(path)
    c = Client()
    opened = timed(lambda: (c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "because", "version": 1, "text": text}}), c.diagnostics(uri)))
    print(f"| {label}: open (check + index) | {opened:.1f} ms | |")
    edits = []
    for v in range(2, RUNS + 2):
        new = text + f"\n% edit {v}\n"
        change = {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": new}]}
        edits.append(timed(lambda: (c.notify("textDocument/didChange", change), c.diagnostics(uri))))
    summary(f"{label}: edit → diagnostics", edits)
    pos = {"textDocument": {"uri": uri}, "position": hover_at}
    summary(f"{label}: hover", [timed(lambda: c.request("textDocument/hover", pos)) for _ in range(RUNS)])
    summary(f"{label}: definition", [timed(lambda: c.request("textDocument/definition", pos)) for _ in range(RUNS)])
    cpos = {"textDocument": {"uri": uri}, "position": complete_at}
    summary(f"{label}: completion", [timed(lambda: c.request("textDocument/completion", cpos)) for _ in range(RUNS)])
    lens = {"textDocument": {"uri": uri}}
    # The first code lens request after an edit evaluates the file; later ones reuse it.
    firsts = []
    for v in range(RUNS + 2, RUNS + 7):
        change = {"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": text + f"% lens {v}\n"}]}
        c.notify("textDocument/didChange", change)
        c.diagnostics(uri)
        firsts.append(timed(lambda: c.request("textDocument/codeLens", lens)))
    summary(f"{label}: code lens after an edit (evaluates, answers every query)", firsts)
    summary(f"{label}: code lens again", [timed(lambda: c.request("textDocument/codeLens", lens)) for _ in range(RUNS)])
    c.close()


def main():
    print(f"binary: {BINARY}")
    print("| case | median | slowest |")
    print("|---|---|---|")
    alliance = os.path.join(ROOT, "facts/alliance/rok_us.kb")
    # rok_us.kb line 28 holds `alliance(rok_us_alliance) @ 1953..`; hover on its predicate.
    measure("shipped kb (rok_us.kb)", alliance, {"line": 27, "character": 2}, {"line": 27, "character": 3})
    questions = os.path.join(ROOT, "facts/alliance/questions.kb")
    measure("shipped kb (questions.kb, includes all)", questions, {"line": 8, "character": 5}, {"line": 8, "character": 6})
    with tempfile.TemporaryDirectory() as d:
        big = os.path.join(d, "big.kb")
        with open(big, "w") as f:
            f.write("% Invented: 100,000 edges of a made-up graph (nothing about the alliance).\n")
            f.write("reach(X, Y) :- edge(X, Y).\n")
            for i in range(100_000):
                f.write(f"edge(n{i}, n{(i * 7919 + 1) % 100_000}).\n")
            f.write("?- reach(n1, Y).\n")
        measure("100k facts", big, {"line": 1, "character": 16}, {"line": 1, "character": 17})


main()
