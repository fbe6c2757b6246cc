"""The two servers bench/bench.py measures, each on a loopback port: lethe
(started, and restarted with other --threads, on one data directory) and a
minimal nginx serving a directory with sendfile."""
import json
import os
import signal
import socket
import subprocess
import time

from measure import Server, SetupError


def curl(*args):
    """Runs a short curl to completion; returns (HTTP status, body bytes)."""
    out = subprocess.run(["curl", "-s", "-o", "-", "-w", "\n%{http_code}", *args],
                         capture_output=True, timeout=600)
    body, _, code = out.stdout.rpartition(b"\n")
    return int(code or 0), body


class Lethe:
    """`lethe serve` on a port of its choosing (--listen 127.0.0.1:0)."""

    def __init__(self, procs, binary, data_dir, log_path, max_media_bytes, extra_args=(),
                 start_secs=20):
        self.procs, self.binary, self.data_dir = procs, binary, data_dir
        self.log_path, self.max_media_bytes = log_path, max_media_bytes
        # Flags and environment for other stores (--metadata, --blobs, ...).
        self.extra_args, self.env = list(extra_args), None
        self.start_secs = start_secs
        self.starts = 0
        self.proc = self.server = self.url = None

    def start(self, threads, cpus):
        args = [self.binary, "serve", "--listen", "127.0.0.1:0", "--data", self.data_dir,
                "--threads", str(threads), "--max-media-bytes", str(self.max_media_bytes),
                *self.extra_args]
        with open(self.log_path, "ab") as log:
            p = self.procs.start(args, cpus=cpus, stdout=log, stderr=subprocess.STDOUT,
                                 env=self.env)
        deadline = time.time() + self.start_secs
        while time.time() < deadline:
            with open(self.log_path) as f:
                lines = [ln for ln in f if "listening on" in ln]
            if len(lines) > self.starts:  # this start's line, not an earlier one's
                self.starts += 1
                self.url = "http://127.0.0.1:" + lines[-1].rsplit(":", 1)[1].strip()
                self.proc, self.server = p, Server("lethe", p)
                return
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise SetupError(f"lethe did not start; see {self.log_path}")

    def stop(self):
        if self.proc:
            self.procs.stop(self.proc, signal.SIGTERM, grace=15)
        self.proc = self.server = None

    def api(self, method, path, token=None, body=None, want=200):
        """A JSON request that must answer `want`; returns the parsed body."""
        args = ["-X", method, self.url + path]
        if token:
            args += ["-H", f"Authorization: Bearer {token}"]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
        code, out = curl(*args)
        if code != want:
            raise SetupError(f"{method} {path}: HTTP {code} {out[:300]!r}")
        return json.loads(out) if out else None


class Nginx:
    """nginx serving `root` with sendfile, keep-alive and no access log, as
    one would serve static files; its CPU is the master's plus the workers'."""

    def __init__(self, procs, work_dir, root, workers, cpus):
        d = os.path.join(work_dir, "nginx")
        os.makedirs(d, exist_ok=True)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        user = "user root;" if os.getuid() == 0 else ""
        conf = f"""{user}
worker_processes {workers};
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  types {{ application/json json; video/mp4 mp4; }}
  client_body_temp_path {d}/client_body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        binary = "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else "nginx"
        with open(os.path.join(d, "stdout.log"), "wb") as out:
            p = procs.start([binary, "-p", d, "-c", f"{d}/nginx.conf", "-e", f"{d}/error.log"],
                            cpus=cpus, stdout=out, stderr=subprocess.STDOUT)
        self.procs, self.proc = procs, p
        self.url = f"http://127.0.0.1:{port}"
        self.server = Server("nginx", p, with_children=True)
        for _ in range(200):
            if curl(self.url + "/")[0] in (200, 403, 404):
                return
            if p.poll() is not None:
                break
            time.sleep(0.05)
        raise SetupError(f"nginx did not start; see {d}/error.log")

    def stop(self):
        self.procs.stop(self.proc, signal.SIGQUIT)  # graceful: workers finish, then exit
