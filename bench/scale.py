#!/usr/bin/env python3
"""Metadata at scale (issue 13): listing, filtering and fetching media stay
flat as the table grows from 1,000,000 to 10,000,000 media rows, on SQLite
and on PostgreSQL (see bench/README.md, "Metadata at scale").

  scale.py LETHE_BINARY [--sizes 1000000,10000000] [--backends sqlite,postgres]
           [--requests 1000] [--secs 10] [--threads 4] [--work-dir DIR] [--keep]

For each backend: starts `lethe serve` on a fresh store (PostgreSQL: a
private server of its own, as the tests start one), signs up, makes four
accounts and uploads one media to each through the API; stops it, seeds
rows copied from those into the store (scale_seed.py) up to the first size,
starts lethe on them and times each request over HTTP on loopback, one at a
time on one keep-alive connection; then seeds up to the next size and times
again. Prints one line per request and size, then per request the ratio of
the largest size to the first with the server's CPU per request beside it;
the lines go to stdout and to bench/out/last-scale-results.txt, logs to
stderr. Exit: 0 whatever the figures (1 with LETHE_BENCH_STRICT=1 when a
request is not flat), 2 when it cannot set up, 130 when interrupted.
"""
import argparse
import base64
import http.client
import json
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time

from fixtures import make_png
from measure import Procs, Server, SetupError, children_of, cpu_seconds, log
from scale_seed import (HEAVY_USER, RARE_TAG, Generator, Postgres, PostgresSeeder, SqliteSeeder,
                        heavy_count, rare_count, tag_count)
from servers import Lethe

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20
BAR_RATIO = 2.0  # median at the largest size over the first: O(rows) would be ~10
MISSING = "nobody-such"


def label(n):
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def times(a, b):
    # CPU time comes in clock ticks (10 ms): a cheap request may show none.
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def cursor(seq):
    return base64.urlsafe_b64encode(f"c1:{seq}".encode()).rstrip(b"=").decode()


class Client:
    """One keep-alive HTTP/1.1 connection to lethe."""

    def __init__(self, url, token):
        host, port = url.rsplit("//", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=600)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path):
        """Returns (status, body bytes, seconds)."""
        t0 = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        return r.status, body, time.perf_counter() - t0

    def post(self, path, body, content_type):
        self.conn.request("POST", path, body=body,
                          headers={**self.headers, "Content-Type": content_type})
        r = self.conn.getresponse()
        return r.status, r.read()

    def close(self):
        self.conn.close()


class Stat:
    def __init__(self, secs, server_cpu, db_cpu):
        self.n = len(secs)
        self.p50 = statistics.median(secs) * 1e3
        self.p99 = sorted(secs)[min(self.n - 1, int(self.n * 0.99))] * 1e3
        self.cpu_us = server_cpu / self.n * 1e6
        self.db_us = None if db_cpu is None else db_cpu / self.n * 1e6


def requests(media_count, sample_ids):
    """(name, paths to cycle through, check of one answer) per timed request."""
    def media_list(want, pred=lambda m: True):
        def check(body):
            items = json.loads(body)["media"]
            return len(items) == want and all(pred(m) for m in items)
        return check

    def usage_list(want):
        return lambda body: len(json.loads(body)["events"]) == want

    # The first page of each (the upload through the API adds one for the
    # end user; below a million media some have fewer than a page).
    heavy = min(100, heavy_count(media_count) + 1)
    tagged = min(100, tag_count(media_count, 5))

    ids = list(sample_ids)
    random.Random(7).shuffle(ids)
    return [
        ("list-first", ["/v1/media?limit=100"], media_list(100)),
        # A cursor half-way through the table.
        ("list-deep", [f"/v1/media?limit=100&cursor={cursor(media_count // 2)}"],
         media_list(100)),
        ("end-user", [f"/v1/media?limit=100&end_user={HEAVY_USER}"],
         media_list(heavy, lambda m: m["end_user"] == HEAVY_USER)),
        ("end-user-none", [f"/v1/media?limit=100&end_user={MISSING}"], media_list(0)),
        ("tag", ["/v1/media?limit=100&tag=t5"], media_list(tagged, lambda m: "t5" in m["tags"])),
        ("tag-rare", [f"/v1/media?limit=100&tag={RARE_TAG}"],
         media_list(rare_count(media_count), lambda m: RARE_TAG in m["tags"])),
        ("tag-none", [f"/v1/media?limit=100&tag={MISSING}"], media_list(0)),
        ("get", [f"/v1/media/{i}" for i in ids], lambda body: json.loads(body)["id"] in ids),
        # Its uploads' events, then those of the requests naming it.
        ("usage-end-user", [f"/v1/usage?limit=100&end_user={HEAVY_USER}"],
         lambda body: len(json.loads(body)["events"]) >= heavy),
        # Each request is a usage event naming the end user it asked for, so
        # each asks for another, never seen before.
        ("usage-end-user-none",
         [f"/v1/usage?limit=100&end_user=absent-{media_count}-{i}" for i in range(100_000)],
         usage_list(0)),
    ]


class ScaleBench:
    def __init__(self, args):
        self.args = args
        self.procs = Procs()
        self.results = {}  # (backend, size) -> {name: Stat}
        self.lines = []
        self.pg = None

    def emit(self, line):
        print(line, flush=True)
        self.lines.append(line)

    def run(self):
        for backend in self.args.backends:
            self.run_backend(backend)
        self.summary()

    def run_backend(self, backend):
        bdir = os.path.join(self.args.work, backend)
        os.makedirs(bdir)
        extra = []
        if backend == "postgres":
            self.pg = Postgres(os.path.join(bdir, "pg"))
            log("postgres: initdb and start")
            self.pg.start()
            extra = ["--metadata", self.pg.conninfo()]
        lethe = Lethe(self.procs, self.args.lethe, os.path.join(bdir, "data"),
                      os.path.join(bdir, "lethe.log"), 64 * MIB, extra, start_secs=300)
        lethe.start(self.args.threads, None)
        token, media_ids = self.set_up_accounts(lethe, bdir)
        lethe.stop()
        if backend == "postgres":
            seeder = PostgresSeeder(self.pg)
        else:
            seeder = SqliteSeeder(os.path.join(bdir, "data", "lethe.db"))
        templates = seeder.templates(media_ids)
        accounts = sorted(templates, key=lambda a: a != self.measured)  # measured first
        start_ms = int(time.time() * 1000) - 300 * 86_400_000
        gen = Generator(templates, accounts, start_ms)
        seeded = 0
        for size in self.args.sizes:
            t0 = time.monotonic()
            log(f"{backend}: seeding {size - seeded:,} media (to {size:,})")
            seeder.seed(gen, seeded, size - seeded)
            previous, seeded = seeded, size
            secs = time.monotonic() - t0
            # Other work on the machine slows every line alike; the load
            # tells which size met more of it.
            self.emit(f"scale-{backend}-{label(size)} seeded: {size - previous:,} media in "
                      f"{secs:.0f} s, {size:,} in all, store "
                      f"{seeder.size_bytes() / (1 << 30):.1f} GiB; load average "
                      f"{os.getloadavg()[0]:.2f} before measuring")
            lethe.start(self.args.threads, None)
            self.results[(backend, size)] = self.measure(backend, size, lethe, token,
                                                         gen.sample_ids)
            lethe.stop()
        if self.pg:
            self.pg.stop()
            self.pg = None
        if not self.args.keep:
            shutil.rmtree(bdir, ignore_errors=True)

    def set_up_accounts(self, lethe, bdir):
        """A customer with four accounts, one upload each; returns the first
        (measured) account's token and the uploads' media ids."""
        signup = lethe.api("POST", "/v1/signup", body={
            "name": "Scale", "email": "scale@example.com", "password": "scale-password-123",
            "country": "US", "birth_date": "1990-01-01"}, want=201)
        png = os.path.join(bdir, "tiny.png")
        make_png(png)
        with open(png, "rb") as f:
            body = f.read()
        tokens, media_ids = [], []
        for i in range(4):
            acc = lethe.api("POST", "/v1/accounts", token=signup["session"]["token"],
                            body={"name": f"scale-{i}", "region": "us"}, want=201)
            c = Client(lethe.url, acc["api_token"])
            status, out = c.post(f"/v1/media?end_user={HEAVY_USER}&title=first&tags=t0",
                                 body, "image/png")
            c.close()
            if status != 201:
                raise SetupError(f"upload: HTTP {status} {out[:300]!r}")
            media_ids.append(json.loads(out)["id"])
            tokens.append(acc["api_token"])
            if i == 0:
                self.measured = acc["id"]
        return tokens[0], media_ids

    def measure(self, backend, size, lethe, token, sample_ids):
        server = lethe.server
        pg_root = self.pg.postmaster_pid() if self.pg else None
        client = Client(lethe.url, token)
        out = {}
        try:
            for name, paths, check in requests(size, sample_ids):
                secs = []
                for i in range(3):  # warm-up; also checks the answers
                    c0 = server.cpu()
                    d0 = cpu_seconds(children_of(pg_root)) if pg_root else None
                    status, body, s = client.get(paths[i % len(paths)])
                    if status != 200 or not check(body):
                        raise SetupError(f"{name}: HTTP {status}, unexpected answer "
                                         f"{body[:300]!r}")
                    if s > self.args.slow:  # one is enough to say it is not flat
                        secs.append(s)
                        break
                else:
                    c0 = server.cpu()
                    d0 = cpu_seconds(children_of(pg_root)) if pg_root else None
                slow = bool(secs)
                t_end = time.monotonic() + self.args.secs
                while not slow and len(secs) < self.args.requests and (
                        len(secs) < 5 or time.monotonic() < t_end):
                    status, body, s = client.get(paths[len(secs) % len(paths)])
                    if status != 200:
                        raise SetupError(f"{name}: HTTP {status} {body[:300]!r}")
                    secs.append(s)
                c1 = server.cpu()
                d1 = cpu_seconds(children_of(pg_root)) if pg_root else None
                st = Stat(secs, c1 - c0, None if d0 is None else d1 - d0)
                out[name] = st
                db = "" if st.db_us is None else f", postgres CPU {st.db_us:.0f} us/req"
                if slow:
                    db += f" (one request: over --slow {self.args.slow:g} s)"
                self.emit(f"scale-{backend}-{label(size)} {name}: p50 {st.p50:.2f} ms, "
                          f"p99 {st.p99:.2f} ms over {st.n} requests; "
                          f"lethe CPU {st.cpu_us:.0f} us/req{db}")
        finally:
            client.close()
        return out

    def summary(self):
        self.flat = True
        for backend in self.args.backends:
            sizes = self.args.sizes
            if len(sizes) < 2:
                continue
            lo, hi = sizes[0], sizes[-1]
            a, b = self.results[(backend, lo)], self.results[(backend, hi)]
            for name in a:
                x, y = a[name], b[name]
                ratio = y.p50 / x.p50 if x.p50 > 0 else 0.0
                met = ratio <= BAR_RATIO
                self.flat &= met
                db = ""
                if x.db_us is not None:
                    db = (f", postgres {x.db_us:.0f} -> {y.db_us:.0f} us "
                          f"({times(y.db_us, x.db_us)})")
                self.emit(
                    f"scale-{backend} {name}: {label(lo)} p50 {x.p50:.2f} ms p99 {x.p99:.2f} ms, "
                    f"{label(hi)} p50 {y.p50:.2f} ms p99 {y.p99:.2f} ms, ratio "
                    f"{label(hi)}/{label(lo)} p50 {ratio:.2f} p99 {y.p99 / max(x.p99, 1e-9):.2f} "
                    f"(bar p50 <= {BAR_RATIO:.2f}) {'MET' if met else 'MISSED'}; CPU per request "
                    f"lethe {x.cpu_us:.0f} -> {y.cpu_us:.0f} us ({times(y.cpu_us, x.cpu_us)}){db}")
        load = os.getloadavg()
        self.emit(f"scale summary: {os.cpu_count()} cores, kernel {platform.release()}, "
                  f"lethe --threads {self.args.threads}, {self.args.requests} requests or "
                  f"{self.args.secs:g} s per line, load average {load[0]:.2f} at the end")

    def stop(self):
        self.procs.stop_all()
        if self.pg:
            self.pg.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lethe")
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--secs", type=float, default=10.0)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--slow", type=float, default=20.0)
    ap.add_argument("--work-dir", default="/tmp")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.lethe = os.path.abspath(args.lethe)
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.backends = args.backends.split(",")
    if not os.access(args.lethe, os.X_OK):
        print(f"scale: {args.lethe} is not an executable", file=sys.stderr)
        return 2
    if set(args.backends) - {"sqlite", "postgres"}:
        print("scale: --backends takes sqlite and/or postgres", file=sys.stderr)
        return 2
    args.work = tempfile.mkdtemp(prefix="lethe-scale.", dir=args.work_dir)
    os.chmod(args.work, 0o755)  # the postgres user enters it
    bench = ScaleBench(args)

    def on_signal(signum, _):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    rc = 0
    try:
        bench.run()
        if os.environ.get("LETHE_BENCH_STRICT") == "1" and not bench.flat:
            rc = 1
    except SetupError as e:
        print(f"scale: {e}", file=sys.stderr)
        rc = 2
    except KeyboardInterrupt:
        rc = 130
    finally:
        bench.stop()
        if args.keep:
            log(f"kept {args.work}")
        else:
            shutil.rmtree(args.work, ignore_errors=True)
        os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
        with open(os.path.join(HERE, "out", "last-scale-results.txt"), "w") as f:
            f.write("".join(line + "\n" for line in bench.lines))
    return rc


if __name__ == "__main__":
    sys.exit(main())
