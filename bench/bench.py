#!/usr/bin/env python3
"""The driver of `make bench` (see bench/README.md); bench/run.sh starts it.

  bench.py LETHE_BINARY WORK_DIR FSYNC_LOOP_BINARY

Starts lethe and nginx, runs each comparison, prints one line per bar to
stdout (logs go to stderr) and exits 0, or 1 when LETHE_BENCH_STRICT=1 and a
bar was missed, or 2 when it could not set up. Every process it starts is
stopped, by pid, before it exits.

With LETHE_BENCH_STORES=postgres+s3 (run.sh's second pass, issue 13) lethe
runs on PostgreSQL (metadata and keys) and s3rver (blobs) that this script
starts (stores.py), the lines start with "pg+s3 ", each also gives the CPU
per unit of work of PostgreSQL and of s3rver, and they are added to
last-results.txt instead of replacing it.
"""
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import time

from fixtures import POST_LUA, REPORT_LUA, make_media, make_png
from measure import Procs, Sample, SetupError, Side, log
from servers import Lethe, Nginx, curl
from stores import ScaleStores

HERE = os.path.dirname(os.path.abspath(__file__))
GIB = 1 << 30
MIB = 1 << 20
COMPARISONS = ["download", "small-get", "upload", "small-upload", "healthz"]

BAR_DOWNLOAD = 0.90      # throughput, x nginx
BAR_DOWNLOAD_CPU = 2.0   # server CPU per GiB, at most x nginx's
BAR_SMALL_GET = 0.90     # requests/s, x nginx
BAR_UPLOAD = 0.85        # MiB/s, x dd
BAR_SMALL_UPLOAD = 1.5   # uploads/s, x the single-thread fsync loop
BAR_HEALTHZ_MS = 10.0    # p99, below
# The large media's type. Its bytes are an ftyp box and random data, which
# the ingest probe (issue 14) refuses as video (it must demux); as audio
# an undecodable body is stored (with the account's scrub_metadata off),
# and no poster or transcript is made.
MEDIA_TYPE = "audio/mp4"


def env_num(name, default, kind=int):
    raw = os.environ.get(name, "")
    try:
        return kind(raw) if raw else default
    except ValueError:
        raise SetupError(f"{name}={raw!r} is not a number")


class Bench:
    """One run: the settings from the environment, the servers, the results."""

    def __init__(self, lethe_binary, work, fsync_loop):
        self.work, self.fsync_loop = work, fsync_loop
        self.procs = Procs()
        self.threads = env_num("LETHE_BENCH_THREADS", 4)
        self.secs = env_num("LETHE_BENCH_SECS", 10.0, float)
        self.warmup = env_num("LETHE_BENCH_WARMUP", 2.0, float)
        self.rounds = max(1, env_num("LETHE_BENCH_ROUNDS", 2))
        self.media_mib = env_num("LETHE_BENCH_MEDIA_MIB", 1024)
        self.media_bytes = self.media_mib * MIB
        self.streams = env_num("LETHE_BENCH_STREAMS", 4)
        self.conns = env_num("LETHE_BENCH_CONNS", 64)
        self.uploaders = env_num("LETHE_BENCH_UPLOADERS", 16)
        self.signins = env_num("LETHE_BENCH_SIGNINS", 32)
        self.only = os.environ.get("LETHE_BENCH_ONLY", " ".join(COMPARISONS)).split()
        unknown = set(self.only) - set(COMPARISONS)
        if unknown:
            raise SetupError(f"LETHE_BENCH_ONLY: unknown {sorted(unknown)}; "
                             f"known: {' '.join(COMPARISONS)}")
        cpus = sorted(os.sched_getaffinity(0))
        self.all_cpus = len(cpus)
        # Two cores shared by server and client would let the client's cost
        # flatter the slower server; with the client on its own cores, each
        # server has the same CPU and the one that needs more shows it.
        if os.environ.get("LETHE_BENCH_PIN", "1") == "1" and len(cpus) >= 2:
            half = len(cpus) // 2
            self.server_cpus, self.client_cpus = set(cpus[:half]), set(cpus[half:])
        else:
            self.server_cpus = self.client_cpus = None
        self.wrk_threads = env_num("LETHE_BENCH_WRK_THREADS", self.client_core_count())
        self.lethe = Lethe(self.procs, lethe_binary, os.path.join(work, "lethe-data"),
                           os.path.join(work, "lethe.log"), self.media_bytes + 64 * MIB)
        self.stores = None
        stores = os.environ.get("LETHE_BENCH_STORES", "")
        if stores:
            if stores != "postgres+s3":
                raise SetupError(f"LETHE_BENCH_STORES={stores!r}: only postgres+s3 is known")
            if "healthz" in self.only:
                raise SetupError("healthz is not run on postgres+s3 (it restarts lethe)")
            self.stores = ScaleStores(self.procs, work, self.server_cpus)
        self.nginx = None
        self.results = []  # (line, met)

    def client_core_count(self):
        return len(self.client_cpus) if self.client_cpus else self.all_cpus

    def record(self, line, met):
        line = line.replace("{verdict}", "MET" if met else "MISSED")
        if self.stores:
            line = "pg+s3 " + line
        print(line, flush=True)
        self.results.append((line, met))

    # -- set-up --

    def setup(self):
        # The media, lethe's copy, and one upload or dd target at a time.
        st = os.statvfs(self.work)
        need = 3 * self.media_bytes + 512 * MIB
        if st.f_bavail * st.f_frsize < need:
            raise SetupError(f"{need // MIB} MiB of free disk needed in {self.work}")
        self.www = os.path.join(self.work, "www")
        os.makedirs(self.www)
        if self.stores:
            self.stores.start()
            self.lethe.extra_args, self.lethe.env = self.stores.lethe_args(), self.stores.lethe_env()
        self.lethe.start(self.threads, self.server_cpus)
        self.nginx = Nginx(self.procs, self.work, self.www,
                           len(self.server_cpus) if self.server_cpus else self.all_cpus,
                           self.server_cpus)
        self.email, self.password = "bench@example.com", "bench-password-123"
        signup = self.lethe.api("POST", "/v1/signup", body={
            "name": "Bench", "email": self.email, "password": self.password,
            "country": "US", "birth_date": "1990-01-01"}, want=201)
        account = self.lethe.api("POST", "/v1/accounts", token=signup["session"]["token"],
                                 body={"name": "bench", "region": "us"}, want=201)
        # The media is no real MP4 (see MEDIA_TYPE): nothing to scrub, and
        # the comparison is of storing bytes, not of rewriting them.
        self.lethe.api("PATCH", f"/v1/accounts/{account['id']}", token=signup["session"]["token"],
                       body={"scrub_metadata": False})
        self.auth = f"Authorization: Bearer {account['api_token']}"

        # One media file: nginx serves it, lethe stores it, and the upload
        # comparisons send it (from the page cache).
        self.media = os.path.join(self.www, "media.mp4")
        self.media_id = None
        if set(self.only) & {"download", "small-get", "upload", "healthz"}:
            log(f"making a {self.media_mib} MiB media file")
            make_media(self.media, self.media_bytes)
            os.sync()
        if set(self.only) & {"download", "small-get", "healthz"}:
            self.media_id = self.upload(self.media).note
            self.check_download()
            code, meta = curl("-H", self.auth, f"{self.lethe.url}/v1/media/{self.media_id}")
            with open(os.path.join(self.www, "meta.json"), "wb") as f:
                f.write(meta)
            code, same = curl(self.nginx.url + "/meta.json")
            if code != 200 or same != meta:
                raise SetupError("nginx does not serve the reference metadata file")

    def check_download(self):
        """The bytes lethe returns are the bytes it was given."""
        want = hashlib.sha256()
        with open(self.media, "rb") as f:
            while chunk := f.read(4 * MIB):
                want.update(chunk)
        p = self.procs.start(["curl", "-sf", "-m", "900", "-H", self.auth,
                              f"{self.lethe.url}/v1/media/{self.media_id}/content"],
                             stdout=subprocess.PIPE)
        got = hashlib.sha256()
        while chunk := p.stdout.read(4 * MIB):
            got.update(chunk)
        p.stdout.close()
        self.procs.reap(p)
        if got.digest() != want.digest():
            raise SetupError("lethe returned other bytes than it was given")

    # -- one run of one side --

    def alternate(self, lethe_run, ref_name, ref_run):
        """Runs lethe, ref, lethe, ref... for self.rounds rounds."""
        sides = Side("lethe"), Side(ref_name)
        for r in range(self.rounds):
            for side, run in zip(sides, (lethe_run, ref_run)):
                s = run()
                side.samples.append(s)
                log(f"  round {r + 1} {side.name}: {s.note}")
        return sides

    def wrk(self, server, url, conns, secs, headers=(), script_extra="", env=None):
        """wrk against url; returns a Sample counting the 2xx answers."""
        script = os.path.join(self.work, "wrk.lua")
        with open(script, "w") as f:
            f.write(script_extra + REPORT_LUA)
        args = ["wrk", f"-t{min(self.wrk_threads, conns)}", f"-c{conns}",
                f"-d{max(1, round(secs))}s", "--timeout", "10s", "-s", script]
        for h in headers:
            args += ["-H", h]
        out_path = os.path.join(self.work, "wrk.out")
        with open(out_path, "wb") as out:
            b0 = self.backing_cpu(server)
            c0 = server.cpu()
            p = self.procs.start(args + [url], cpus=self.client_cpus, stdout=out,
                                 stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
            rc, client_cpu = self.procs.reap(p)
            c1 = server.cpu()
            b1 = self.backing_cpu(server)
        with open(out_path) as f:
            text = f.read()
        line = [ln for ln in text.splitlines() if ln.startswith("WRK ")]
        if rc != 0 or not line:
            raise SetupError(f"wrk failed: {text[-500:]}")
        v = {k: int(x) for k, x in (kv.split("=") for kv in line[0].split()[1:])}
        if v["errors"] or v["non2xx"]:
            log(f"  wrk saw {v['errors']} socket errors and {v['non2xx']} non-2xx answers")
        ok, secs = v["requests"] - v["non2xx"], v["duration_us"] / 1e6
        s = Sample(ok, secs, c1 - c0, client_cpu)
        s.backing = {k: b1[k] - b0[k] for k in b0}
        s.note = (f"{s.rate():.0f} req/s, server {s.server_cpu / secs:.2f} cores "
                  f"{s.server_cpu / max(ok, 1) * 1e6:.1f} us/req, "
                  f"wrk {client_cpu / secs:.2f} cores" + self.backing_log(s, secs))
        return s

    def download(self, server, url, headers, streams):
        """`streams` curl processes at once, each fetching the whole media."""
        b0 = self.backing_cpu(server)
        c0 = server.cpu()
        t0 = time.perf_counter()
        args = ["curl", "-s", "-m", "900", "-o", "/dev/null",
                "-w", "%{http_code} %{size_download}"]
        for h in headers:
            args += ["-H", h]
        procs = [self.procs.start(args + [url], cpus=self.client_cpus, stdout=subprocess.PIPE)
                 for _ in range(streams)]
        client_cpu, outs = 0.0, []
        for p in procs:
            outs.append(p.stdout.read().decode())
            p.stdout.close()
            client_cpu += self.procs.reap(p)[1]
        secs = time.perf_counter() - t0
        c1 = server.cpu()
        b1 = self.backing_cpu(server)
        for out in outs:
            if out != f"200 {self.media_bytes}":
                raise SetupError(f"download from {server.name}: got {out!r}")
        s = Sample(streams * self.media_bytes, secs, c1 - c0, client_cpu)
        s.backing = {k: b1[k] - b0[k] for k in b0}
        s.note = (f"{s.rate() / MIB:.0f} MiB/s, server {s.server_cpu / secs:.2f} cores "
                  f"{s.server_cpu / (s.units / GIB):.3f} s/GiB, curl {client_cpu / secs:.2f} cores"
                  + self.backing_log(s, secs))
        return s

    def upload(self, path, content_type=MEDIA_TYPE):
        """POSTs a file to lethe; returns a Sample in bytes, timed until the
        201 (sent after lethe synced the data), with the media id as note."""
        resp = os.path.join(self.work, "upload.json")
        b0 = self.backing_cpu(self.lethe.server)
        c0 = self.lethe.server.cpu()
        # -T streams the file: curl refuses --data-binary @FILE of 1 GiB.
        p = self.procs.start(
            ["curl", "-s", "-m", "900", "-X", "POST", f"{self.lethe.url}/v1/media",
             "-H", self.auth, "-H", f"Content-Type: {content_type}", "-T", path, "-o", resp,
             "-w", "%{http_code} %{time_total}"], cpus=self.client_cpus, stdout=subprocess.PIPE)
        out = p.stdout.read().decode().split()
        p.stdout.close()
        _, client_cpu = self.procs.reap(p)
        c1 = self.lethe.server.cpu()
        b1 = self.backing_cpu(self.lethe.server)
        if not out or out[0] != "201":
            with open(resp, "rb") as f:
                raise SetupError(f"upload of {path}: HTTP {out} {f.read(300)!r}")
        with open(resp) as f:
            media_id = json.load(f)["id"]
        s = Sample(os.path.getsize(path), float(out[1]), c1 - c0, client_cpu, media_id)
        s.backing = {k: b1[k] - b0[k] for k in b0}
        return s

    def backing_cpu(self, server):
        """CPU seconds so far of the stores behind lethe, when `server` is lethe."""
        if self.stores and self.lethe.server is server:
            return self.stores.cpu()
        return {}

    def backing_log(self, sample, secs):
        return "".join(f", {k} {v / secs:.2f} cores" for k, v in sample.backing.items())

    def backing_note(self, side, scale, unit):
        """", postgres CPU X UNIT (Y cores busy), s3rver CPU ...": the stores'
        CPU per unit of lethe's work (x scale), for the result line."""
        if not self.stores:
            return ""
        digits = 3 if scale == GIB else 1
        parts = [f"{s.name} CPU {side.backing_per_unit(s.name) * scale:.{digits}f} {unit} "
                 f"({side.backing_cores(s.name):.2f} cores busy)" for s in self.stores.servers]
        return ", " + ", ".join(parts)

    def delete_media(self, media_id):
        curl("-X", "DELETE", "-H", self.auth, f"{self.lethe.url}/v1/media/{media_id}")

    def dd(self, src):
        target = os.path.join(self.work, "dd.target")
        t0 = time.perf_counter()
        p = self.procs.start(["dd", f"if={src}", f"of={target}", "bs=1M", "conv=fsync",
                              "status=none"], cpus=self.server_cpus)
        rc, cpu = self.procs.reap(p)
        secs = time.perf_counter() - t0
        if rc != 0:
            raise SetupError("dd failed")
        size = os.path.getsize(target)
        os.unlink(target)
        os.sync()
        return Sample(size, secs, cpu)

    def busy(self, side):
        """How much of its CPUs a server used: near all of them when it was the limit."""
        n = len(self.server_cpus) if self.server_cpus else self.all_cpus
        return f"{side.server_cores():.2f} of {n} cores busy"

    def client_note(self, client, width, lethe, ref):
        """Logs the client's and the servers' CPU use; returns a note naming
        the sides against which the client was CPU-bound (and so the limit)."""
        avail, bound = self.client_core_count(), []
        for side in (lethe, ref):
            used = side.client_cores()
            if used >= 0.9 * min(avail, width):
                bound.append(side.name)
            log(f"  {client} against {side.name}: {used:.2f} of {avail} client cores, "
                f"{side.name} {side.server_cores():.2f} cores")
        return (f"{client} CPU-bound against {' and '.join(bound)}" if bound
                else f"{client} not CPU-bound")

    # -- the comparisons --

    def bench_download(self):
        log(f"download: {self.streams} curl processes at once, each the whole "
            f"{self.media_mib} MiB media, {self.rounds} alternating rounds")
        lurl = f"{self.lethe.url}/v1/media/{self.media_id}/content"
        nurl = f"{self.nginx.url}/media.mp4"
        self.download(self.lethe.server, lurl, [self.auth], 1)  # warm-up, page cache
        self.download(self.nginx.server, nurl, [], 1)
        lethe, ref = self.alternate(
            lambda: self.download(self.lethe.server, lurl, [self.auth], self.streams),
            "nginx", lambda: self.download(self.nginx.server, nurl, [], self.streams))
        note = self.client_note("curl", self.streams, lethe, ref)
        lr, nr = lethe.best().rate() / MIB, ref.best().rate() / MIB
        lc, nc = lethe.cpu_per_unit() * GIB, ref.cpu_per_unit() * GIB
        self.record(f"download: lethe {lr:.0f} MiB/s, nginx {nr:.0f} MiB/s, ratio {lr / nr:.2f} "
                    f"(bar >= {BAR_DOWNLOAD:.2f}) {{verdict}}, lethe CPU {lc:.3f} s/GiB "
                    f"({self.busy(lethe)}){self.backing_note(lethe, GIB, 's/GiB')}, "
                    f"nginx CPU {nc:.3f} s/GiB ({self.busy(ref)}), {note}",
                    lr / nr >= BAR_DOWNLOAD)
        ratio = lc / nc if nc > 0 else float("inf")
        self.record(f"download-cpu: lethe {lc:.3f} CPU-s/GiB, nginx {nc:.3f} CPU-s/GiB, "
                    f"ratio {ratio:.2f} (bar <= {BAR_DOWNLOAD_CPU:.2f}) {{verdict}}",
                    ratio <= BAR_DOWNLOAD_CPU)

    def bench_small_get(self):
        size = os.path.getsize(os.path.join(self.www, "meta.json"))
        log(f"small-get: wrk -t{self.wrk_threads} -c{self.conns}, GET /v1/media/{{id}} vs a "
            f"{size}-byte static file, {self.secs:g}s per side in {self.rounds} rounds")
        lurl = f"{self.lethe.url}/v1/media/{self.media_id}"
        nurl = f"{self.nginx.url}/meta.json"
        per = self.secs / self.rounds
        self.wrk(self.lethe.server, lurl, self.conns, self.warmup, [self.auth])
        self.wrk(self.nginx.server, nurl, self.conns, self.warmup)
        lethe, ref = self.alternate(
            lambda: self.wrk(self.lethe.server, lurl, self.conns, per, [self.auth]),
            "nginx", lambda: self.wrk(self.nginx.server, nurl, self.conns, per))
        note = self.client_note("wrk", self.wrk_threads, lethe, ref)
        lr, nr = lethe.best().rate(), ref.best().rate()
        lu, nu = lethe.cpu_per_unit() * 1e6, ref.cpu_per_unit() * 1e6
        self.record(f"small-get: lethe {lr:.0f} req/s, nginx {nr:.0f} req/s, ratio {lr / nr:.2f} "
                    f"(bar >= {BAR_SMALL_GET:.2f}) {{verdict}}, lethe CPU {lu:.1f} us/req "
                    f"({self.busy(lethe)}){self.backing_note(lethe, 1e6, 'us/req')}, "
                    f"nginx CPU {nu:.1f} us/req ({self.busy(ref)}), "
                    f"{note}; CPU per request alone implies a ratio of {nu / lu:.2f}",
                    lr / nr >= BAR_SMALL_GET)

    def bench_upload(self):
        log(f"upload: {self.media_mib} MiB, curl -T vs dd bs=1M conv=fsync, "
            f"{self.rounds} alternating rounds after a 64 MiB warm-up")
        warm = os.path.join(self.work, "warm.mp4")
        with open(self.media, "rb") as f, open(warm, "wb") as w:
            w.write(f.read(64 * MIB))
        with open(self.media, "rb") as f:  # into the page cache, for both sides
            while f.read(16 * MIB):
                pass
        self.delete_media(self.upload(warm).note)
        self.dd(warm)
        os.unlink(warm)

        def lethe_run():
            s = self.upload(self.media)
            self.delete_media(s.note)
            os.sync()
            s.note = (f"{s.rate() / MIB:.0f} MiB/s ({s.secs:.2f} s), server "
                      f"{s.server_cpu / (s.units / GIB):.2f} s/GiB, curl {s.client_cpu:.2f} s"
                      + self.backing_log(s, s.secs))
            return s

        def dd_run():
            s = self.dd(self.media)
            s.note = f"{s.rate() / MIB:.0f} MiB/s ({s.secs:.2f} s), dd {s.server_cpu:.2f} s CPU"
            return s

        lethe, ref = self.alternate(lethe_run, "dd", dd_run)
        lr, dr = lethe.best().rate() / MIB, ref.best().rate() / MIB
        self.record(f"upload: lethe {lr:.0f} MiB/s, dd {dr:.0f} MiB/s, ratio {lr / dr:.2f} "
                    f"(bar >= {BAR_UPLOAD:.2f}) {{verdict}}, lethe CPU "
                    f"{lethe.cpu_per_unit() * GIB:.3f} s/GiB ({self.busy(lethe)})"
                    f"{self.backing_note(lethe, GIB, 's/GiB')}, dd CPU "
                    f"{ref.cpu_per_unit() * GIB:.3f} s/GiB ({self.busy(ref)})",
                    lr / dr >= BAR_UPLOAD)

    def bench_small_upload(self):
        png = os.path.join(self.work, "tiny.png")
        make_png(png)
        log(f"small-upload: {self.uploaders} wrk connections POSTing a 1 KiB PNG vs one thread "
            f"of write+fdatasync+rename+dir fsync (C, bench/fsync_loop.c), "
            f"{self.secs:g}s per side in {self.rounds} rounds")
        env = {"BENCH_BODY": png, "BENCH_CONTENT_TYPE": "image/png"}
        url = f"{self.lethe.url}/v1/media"
        loop_dir = os.path.join(self.work, "fsync-loop")

        def lethe_run(secs):
            s = self.wrk(self.lethe.server, url, self.uploaders, secs, [self.auth], POST_LUA, env)
            s.note = s.note.replace("req/s", "uploads/s").replace("us/req", "us/upload")
            return s

        def loop_run(secs):
            os.makedirs(loop_dir)
            p = self.procs.start([self.fsync_loop, loop_dir, png, str(secs)],
                                 cpus=self.server_cpus, stdout=subprocess.PIPE)
            out = p.stdout.read().decode().split()
            p.stdout.close()
            rc, _ = self.procs.reap(p)
            if rc != 0 or len(out) != 3:
                raise SetupError("fsync_loop failed")
            subprocess.run(["rm", "-rf", loop_dir], check=True)
            s = Sample(int(out[0]), float(out[1]), float(out[2]))
            s.note = f"{s.rate():.0f} files/s, {s.server_cpu / s.units * 1e6:.1f} us CPU/file"
            return s

        lethe_run(self.warmup)
        loop_run(self.warmup)
        per = self.secs / self.rounds
        lethe, ref = self.alternate(lambda: lethe_run(per), "fsync-loop", lambda: loop_run(per))
        lr, fr = lethe.best().rate(), ref.best().rate()
        self.record(f"small-upload: lethe {lr:.0f} uploads/s, fsync-loop {fr:.0f} files/s, ratio "
                    f"{lr / fr:.2f} (bar >= {BAR_SMALL_UPLOAD:.2f}) {{verdict}}, lethe CPU "
                    f"{lethe.cpu_per_unit() * 1e6:.0f} us/upload ({self.busy(lethe)})"
                    f"{self.backing_note(lethe, 1e6, 'us/upload')}, "
                    f"fsync-loop CPU {ref.cpu_per_unit() * 1e6:.0f} us/file ({self.busy(ref)})",
                    lr / fr >= BAR_SMALL_UPLOAD)

    def bench_healthz(self):
        # Not pinned: the question is whether lethe's one network thread is
        # ever blocked by work that belongs elsewhere, not how the scheduler
        # shares one core between that thread and the argon2 pool.
        log("healthz: lethe restarted with --threads 1, not pinned; /healthz probed one "
            "request at a time during an upload, a download and a burst of sign-ins")
        self.lethe.stop()
        self.lethe.start(1, None)
        url = self.lethe.url
        probe_py = os.path.join(HERE, "probe.py")
        pause = os.environ.get("LETHE_BENCH_PROBE_PAUSE_MS", "1")
        # The control probes nginx (a static file) the same way at the same
        # time: its tail is the machine's and the probe's own, not lethe's.
        probes = [self.procs.start([sys.executable, probe_py, "healthz", target, pause],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                  for target in (f"{url}/healthz", f"{self.nginx.url}/meta.json")]
        for p in probes:
            p.stderr.readline()  # "ready"
        time.sleep(0.2)
        c0 = self.lethe.server.cpu()
        t0, wall0 = time.perf_counter(), time.time()
        loads = {
            "upload": self.procs.start(
                ["curl", "-s", "-m", "900", "-X", "POST", f"{url}/v1/media", "-H", self.auth,
                 "-H", f"Content-Type: {MEDIA_TYPE}", "-T", self.media, "-o", "-",
                 "-w", "\n%{http_code} %{time_total}"], stdout=subprocess.PIPE),
            "download": self.procs.start(
                ["curl", "-s", "-m", "900", "-H", self.auth, "-o", "/dev/null",
                 "-w", "%{http_code} %{size_download} %{time_total}",
                 f"{url}/v1/media/{self.media_id}/content"], stdout=subprocess.PIPE),
            "signins": self.procs.start(
                [sys.executable, probe_py, "signins", f"{url}/v1/sessions", self.email,
                 self.password, str(self.signins), "8"], stdout=subprocess.PIPE),
        }
        outs = {}
        for name, p in loads.items():
            outs[name] = p.stdout.read().decode()
            p.stdout.close()
            self.procs.reap(p)
        secs = time.perf_counter() - t0
        cpu = self.lethe.server.cpu() - c0
        time.sleep(0.2)
        results = []
        for p in probes:
            p.send_signal(signal.SIGTERM)
            results.append(json.loads(p.stdout.read().decode()))
            p.stdout.close()
            p.stderr.close()
            self.procs.reap(p)
        stats, control = results

        up_body, _, up_tail = outs["upload"].rpartition("\n")
        up_code, up_secs = up_tail.split()
        down_code, down_bytes, down_secs = outs["download"].split()
        signins = json.loads(outs["signins"])
        if up_code != "201" or down_code != "200" or int(down_bytes) != self.media_bytes:
            raise SetupError(f"healthz load failed: upload {up_code}, download {down_code} "
                             f"{down_bytes} bytes")
        self.delete_media(json.loads(up_body)["id"])
        if signins["ok"] != signins["count"]:
            log(f"  sign-ins answered: {signins['statuses']}")
        # When the slowest probes were sent, beside when each load ended,
        # to tell which part of the load held the network thread.
        log("  slowest lethe probes (sent at +s after the load began): " +
            ", ".join(f"{at - wall0:+.2f}s {ms:.0f} ms" for at, ms in stats["worst"]) +
            f"; upload ended at +{float(up_secs):.2f}s, download at +{float(down_secs):.2f}s, "
            f"sign-ins at +{signins['seconds']:.2f}s")
        log(f"  load: upload {self.media_mib / float(up_secs):.0f} MiB/s, download "
            f"{self.media_mib / float(down_secs):.0f} MiB/s, {signins['ok']} of "
            f"{signins['count']} sign-ins in {signins['seconds']:.2f} s; lethe "
            f"{cpu / secs:.2f} cores over {secs:.2f} s; {stats['errors']} probe errors")
        p99 = stats["p99_ms"]
        self.record(f"healthz: lethe --threads 1 p99 {p99:.2f} ms (p50 {stats['p50_ms']:.2f} ms, "
                    f"max {stats['max_ms']:.2f} ms, {stats['n']} probes over "
                    f"{stats['seconds']:.1f} s) during a {self.media_mib} MiB upload, a "
                    f"{self.media_mib} MiB download and {self.signins} sign-ins "
                    f"(bar < {BAR_HEALTHZ_MS:g} ms) {{verdict}}, lethe CPU {cpu / secs:.2f} cores; "
                    f"control: nginx probed alike p99 {control['p99_ms']:.2f} ms, max "
                    f"{control['max_ms']:.2f} ms",
                    p99 < BAR_HEALTHZ_MS and stats["errors"] == 0)

    # -- the run --

    def machine(self):
        model = "?"
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    model = ln.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // (1024 * 1024)
        df = subprocess.run(["df", "--output=source,fstype", self.work], capture_output=True,
                            text=True).stdout.splitlines()[-1].split()
        disk = " ".join(df)
        dev = os.path.basename(df[0])
        base = dev.split("p")[0] if dev.startswith("nvme") else dev.rstrip("0123456789")
        rot = f"/sys/block/{base}/queue/rotational"
        if os.path.exists(rot):
            with open(rot) as f:
                disk += f" rotational={f.read().strip()}"
        pin = (f"servers on CPU {','.join(map(str, sorted(self.server_cpus)))}, clients on "
               f"{','.join(map(str, sorted(self.client_cpus)))}" if self.server_cpus
               else "not pinned")
        return (f"{self.all_cpus} cores ({model}), {mem} GiB RAM, disk {disk}, kernel "
                f"{platform.release()}, {pin}, lethe --threads {self.threads}")

    def run(self):
        load0 = os.getloadavg()[0]
        log(f"work dir {self.work}; {self.machine()}")
        if load0 > self.all_cpus / 2:
            log(f"WARNING: load average {load0:.2f} on {self.all_cpus} cores before starting: "
                f"other work is running and the figures will be noisy")
        self.setup()
        for name in COMPARISONS:
            if name in self.only:
                getattr(self, "bench_" + name.replace("-", "_"))()
        met = sum(1 for _, m in self.results if m)
        summary = (f"summary: {met} of {len(self.results)} bars met; {self.machine()}; "
                   f"load average {load0:.2f} at start, {os.getloadavg()[0]:.2f} at end")
        if self.stores:
            summary = ("pg+s3 " + summary + "; stores on the server CPUs beside lethe: "
                       "PostgreSQL 15 (fsync on), s3rver (no fsync)")
        print(summary, flush=True)
        os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
        with open(os.path.join(HERE, "out", "last-results.txt"), "a" if self.stores else "w") as f:
            f.write("\n".join([line for line, _ in self.results] + [summary]) + "\n")
        strict = os.environ.get("LETHE_BENCH_STRICT", "0") == "1"
        return 1 if strict and met < len(self.results) else 0


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2

    def interrupted(_signum, _frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    bench = None
    try:
        bench = Bench(argv[1], argv[2], argv[3])
        return bench.run()
    except SetupError as e:
        log(f"cannot run: {e}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if bench:
            bench.procs.stop_all()
            if bench.stores:
                bench.stores.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
