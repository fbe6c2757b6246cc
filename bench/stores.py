"""The stores behind lethe for the pg+s3 pass of bench/bench.py
(LETHE_BENCH_STORES=postgres+s3, issue 13): a private PostgreSQL 15
(scripts/test-postgres.sh, with fsync on, as a production server runs) for
the metadata and key stores, and s3rver (tests/s3/, the tests' S3 server,
without their SigV4-checking proxy: the bench measures the store, not the
checker) for the blobs. Both run on the server CPUs beside lethe; their CPU
time is read like lethe's, from /proc (PostgreSQL: the postmaster and its
backends; s3rver: its one Node process)."""
import os
import subprocess
import time

from measure import Server, SetupError, log

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUCKET = "lethe-bench"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


class _Pid:
    """What measure.Server needs of a process it did not start: its pid."""

    def __init__(self, pid):
        self.pid = pid


class ScaleStores:
    """Starts, describes and stops PostgreSQL and s3rver for one bench run."""

    def __init__(self, procs, work, cpus):
        self.procs, self.work, self.cpus = procs, work, cpus
        self.pg_dir = os.path.join(work, "postgres")
        self.s3_dir = os.path.join(work, "s3rver")
        self.pg_started = False
        self.s3rver = None
        self.servers = []  # measure.Server of each, for their CPU time
        self.endpoint = self.conninfo = None

    def start(self):
        self._start_postgres()
        self._start_s3rver()

    def _start_postgres(self):
        # The postgres user must reach its directory: through the work dir
        # and run.sh's (mktemp's 0700), searchable but not listable.
        for d in (self.work, os.path.dirname(self.work)):
            os.chmod(d, os.stat(d).st_mode | 0o111)
        env = {**os.environ, "LETHE_PG_FSYNC": "on"}
        p = self.procs.start([os.path.join(ROOT, "scripts", "test-postgres.sh"), "start",
                              self.pg_dir], cpus=self.cpus, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.communicate(timeout=120)
        self.procs.live.remove(p)
        if p.returncode != 0:
            raise SetupError(f"PostgreSQL did not start: {err.decode()[-500:]}")
        self.pg_started = True
        for db in ("lethe_meta", "lethe_keys"):
            r = subprocess.run(["psql", "-h", self.pg_dir, "-U", "postgres", "-d", "postgres",
                                "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {db}"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise SetupError(f"CREATE DATABASE {db}: {r.stderr[-300:]}")
        with open(os.path.join(self.pg_dir, "data", "postmaster.pid")) as f:
            pid = int(f.readline())
        self.servers.append(Server("postgres", _Pid(pid), with_children=True))
        log(f"PostgreSQL 15 (fsync on) on {self.pg_dir}, postmaster pid {pid}")

    def _start_s3rver(self):
        bin_ = os.path.join(ROOT, "tests", "s3", "node_modules", "s3rver", "bin", "s3rver.js")
        if not os.path.exists(bin_):
            raise SetupError("s3rver is not installed: run scripts/install-deps.sh")
        os.makedirs(os.path.join(self.s3_dir, "data"))
        log_path = os.path.join(self.s3_dir, "log")
        with open(log_path, "wb") as out:
            # The legacy provider: s3rver's continuation tokens use DES.
            self.s3rver = self.procs.start(
                ["node", "--openssl-legacy-provider", bin_, "-d", os.path.join(self.s3_dir, "data"),
                 "-a", "127.0.0.1", "-p", "0", "--no-vhost-buckets", "--silent"],
                cpus=self.cpus, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            with open(log_path) as f:
                text = f.read()
            if "listening on 127.0.0.1:" in text:
                port = text.split("listening on 127.0.0.1:")[1].split()[0].strip()
                self.endpoint = f"http://127.0.0.1:{int(port)}"
                break
            if self.s3rver.poll() is not None:
                break
            time.sleep(0.05)
        if not self.endpoint:
            raise SetupError(f"s3rver did not start; see {log_path}")
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
                            "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "S3RVER:S3RVER",
                            "-H", f"x-amz-content-sha256: {EMPTY_SHA256}",
                            f"{self.endpoint}/{BUCKET}"], capture_output=True, text=True)
        if r.stdout != "200":
            raise SetupError(f"s3rver: create bucket: HTTP {r.stdout}")
        self.servers.append(Server("s3rver", self.s3rver))
        log(f"s3rver (Node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}) "
            f"on {self.endpoint}, bucket {BUCKET}, data {self.s3_dir}/data")

    def lethe_args(self):
        uri = "postgres:///{}?host={}&user=postgres"
        return ["--metadata", uri.format("lethe_meta", self.pg_dir),
                "--keys", uri.format("lethe_keys", self.pg_dir),
                "--blobs", f"s3://{BUCKET}?endpoint={self.endpoint}&region=us-east-1"]

    def lethe_env(self):
        return {**os.environ, "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}

    def cpu(self):
        """CPU seconds used so far by each store, by name."""
        return {s.name: s.cpu() for s in self.servers}

    def stop(self):
        if self.s3rver:
            self.procs.stop(self.s3rver)
            self.s3rver = None
        if self.pg_started:
            subprocess.run([os.path.join(ROOT, "scripts", "test-postgres.sh"), "stop",
                            self.pg_dir], capture_output=True, timeout=120)
            self.pg_started = False
