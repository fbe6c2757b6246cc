"""The rows bench/scale.py seeds, and the two stores it seeds them into.

Every seeded row is a copy of a row the server itself wrote (one real
upload per account: its media row, its tag rows and its usage event), with
the columns that differ from one media to the next replaced: ids, seq,
end user, tags, title, times, blob id, digest and wrapped key. A column the
bench does not know (added by a later migration) keeps the server's value.
No blob and no audit event goes with a seeded row: listing, filtering and
fetching metadata read neither.

Seeding drops the tables' plain indexes, inserts in one transaction (SQLite:
one prepared statement through executemany; PostgreSQL: COPY), and creates
the indexes again from their own definitions, which builds the same trees
faster than row by row. Constraint indexes (primary keys, UNIQUE) stay and
are maintained as rows go in.
"""
import base64
import os
import sqlite3
import subprocess

from measure import SetupError, log

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # kRandomIdAlphabet
_TO_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)
TABLES = ("media", "media_tags", "usage_events")
DAY_MS = 86_400_000
STEP_MS = 2_000  # between two seeded media: 10,000,000 of them span 231 days

# The measured account holds every second row; three others share the rest.
HEAVY_USER = "eu-heavy"      # 1% of the measured account's media
USERS = 20_011               # other end users of the measured account
OTHER_USERS = 5_003          # end users of each other account
COMMON_TAGS = 97             # t0..t96: about 1% of the media each
RARE_TAG = "rare"            # on 50 media, however many there are
RARE_EVERY, RARE_COUNT = 10_000, 50


def rare_count(seeded):
    """How many of the first `seeded` media carry RARE_TAG (50 from 1,000,000 on)."""
    measured = (seeded + 1) // 2
    return len(range(7, min(measured, RARE_EVERY * RARE_COUNT), RARE_EVERY))


def heavy_count(seeded):
    """How many of the first `seeded` media are HEAVY_USER's."""
    return len(range(0, (seeded + 1) // 2, 100))


def tag_count(seeded, n):
    """How many of the first `seeded` media of the measured account carry t<n>."""
    return len(range(n, (seeded + 1) // 2, COMMON_TAGS))


def random_ids(prefix, n):
    """n ids like RandomId(): prefix and 20 characters (100 random bits)."""
    raw = base64.b32encode(os.urandom(15 * n)).decode().translate(_TO_ALPHABET)
    return [prefix + raw[24 * i:24 * i + 20] for i in range(n)]


def id_prefix(value):
    return value[:value.index("_") + 1]


def shape(j, measured):
    """End user and tags of the measured account's (or another's) j-th media."""
    if not measured:
        return f"eu-{j % OTHER_USERS}", [f"t{j % COMMON_TAGS}"]
    if j % 100 == 0:
        user = HEAVY_USER
    elif j % 20 == 1:
        user = ""  # the account itself owns it
    else:
        user = f"eu-{j % USERS}"
    tags = [f"t{j % COMMON_TAGS}"]
    if j % 10 == 3:
        tags.append("featured")
    if j % RARE_EVERY == 7 and j < RARE_EVERY * RARE_COUNT:
        tags.append(RARE_TAG)
    return user, tags


class Template:
    """A table's columns and one row the server wrote, to copy."""

    def __init__(self, table, columns, row):
        self.table, self.columns, self.row = table, list(columns), list(row)
        self.at = {c: i for i, c in enumerate(self.columns)}

    def has(self, column):
        return column in self.at


class Generator:
    """Rows of media number `first`.. (over all accounts), in seq order."""

    def __init__(self, templates, accounts, start_ms):
        # templates[account_id] = {"media": T, "media_tags": T, "usage_events": T}
        self.templates, self.accounts, self.start_ms = templates, accounts, start_ms
        self.sample_ids = []  # of the measured account's media, for GETs
        media = templates[accounts[0]]["media"]
        key = media.row[media.at["wrapped_key"]]
        self.key_bytes = len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)))
        usage = templates[accounts[0]]["usage_events"]
        self.media_prefix = id_prefix(media.row[media.at["id"]])
        self.blob_prefix = id_prefix(media.row[media.at["blob_id"]])
        self.usage_prefix = id_prefix(usage.row[usage.at["id"]])

    def batches(self, first, count, first_seq, first_usage_seq, batch=50_000):
        """Yields (media rows, tag rows, usage rows) for `count` media."""
        for lo in range(0, count, batch):
            n = min(batch, count - lo)
            mids = random_ids(self.media_prefix, n)
            bids = random_ids(self.blob_prefix, n)
            eids = random_ids(self.usage_prefix, n)
            media, tags, usage = [], [], []
            for i in range(n):
                k = first + lo + i
                seq, useq = first_seq + lo + i, first_usage_seq + lo + i
                if k % 2 == 0:
                    acc, j = self.accounts[0], k // 2
                else:
                    acc, j = self.accounts[1 + (k // 2) % 3], (k // 2) // 3
                user, tag_list = shape(j, acc == self.accounts[0])
                t = self.templates[acc]
                when = self.start_ms + k * STEP_MS
                m, mat = list(t["media"].row), t["media"].at
                m[mat["seq"]], m[mat["id"]], m[mat["end_user"]] = seq, mids[i], user
                m[mat["title"]], m[mat["created_ms"]] = f"clip {k}", when
                m[mat["blob_id"]], m[mat["sha256"]] = bids[i], os.urandom(32).hex()
                m[mat["wrapped_key"]] = base64.urlsafe_b64encode(
                    os.urandom(self.key_bytes)).rstrip(b"=").decode()
                media.append(m)
                tt = t["media_tags"]
                for pos, tag in enumerate(tag_list):
                    r = list(tt.row)
                    r[tt.at["media_id"]], r[tt.at["tag"]], r[tt.at["position"]] = mids[i], tag, pos
                    if tt.has("media_seq"):
                        r[tt.at["media_seq"]] = seq
                    tags.append(r)
                u, uat = list(t["usage_events"].row), t["usage_events"].at
                u[uat["seq"]], u[uat["id"]], u[uat["end_user"]] = useq, eids[i], user
                u[uat["time_ms"]] = when
                usage.append(u)
                if acc == self.accounts[0] and j % 997 == 5:
                    self.sample_ids.append(mids[i])
            yield media, tags, usage


# -- SQLite --

class SqliteSeeder:
    """Seeds lethe.db (the server stopped)."""

    def __init__(self, path):
        self.path = path

    def _open(self):
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 10000")
        return db

    def templates(self, media_ids):
        db = self._open()
        try:
            out = {}
            for mid in media_ids:
                m = self._one(db, "media", "id = ?", mid)
                acc = m.row[m.at["account_id"]]
                tags = self._one(db, "media_tags", "media_id = ?", mid)
                usage = self._one(db, "usage_events",
                                  "account_id = ? AND route = '/v1/media' AND method = 'POST'"
                                  " AND status = 201", acc)
                out[acc] = {"media": m, "media_tags": tags, "usage_events": usage}
            return out
        finally:
            db.close()

    @staticmethod
    def _one(db, table, where, arg):
        cur = db.execute(f"SELECT * FROM {table} WHERE {where} LIMIT 1", (arg,))
        row = cur.fetchone()
        if row is None:
            raise SetupError(f"no {table} row written by the server ({where})")
        return Template(table, [d[0] for d in cur.description], row)

    def seed(self, gen, first, count):
        db = self._open()
        try:
            # The journal and syncs cost time and buy nothing here: a crash
            # of the bench throws the data away.
            db.execute("PRAGMA journal_mode = DELETE")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -4000000")  # 4 GB: the UNIQUE indexes stay in memory
            indexes = db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name IN ({','.join('?' * len(TABLES))})", TABLES).fetchall()
            db.execute("BEGIN")
            for name, _ in indexes:
                db.execute(f'DROP INDEX "{name}"')
            seq, useq = self.next_seqs(db)
            sql = {}
            done = 0
            for media, tags, usage in gen.batches(first, count, seq, useq):
                for table, rows in (("media", media), ("media_tags", tags),
                                    ("usage_events", usage)):
                    cols = gen.templates[gen.accounts[0]][table].columns
                    sql.setdefault(table, f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                                          f"({', '.join('?' * len(cols))})")
                    db.executemany(sql[table], rows)
                done += len(media)
                if done % 1_000_000 < len(media):
                    log(f"  sqlite: {done:,} of {count:,} media inserted")
            log(f"  sqlite: creating {len(indexes)} indexes again")
            for _, ddl in indexes:
                db.execute(ddl)
            db.execute("COMMIT")
            db.execute("PRAGMA journal_mode = WAL")  # as the server keeps it
        finally:
            db.close()

    @staticmethod
    def next_seqs(db):
        return tuple(db.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {t}").fetchone()[0]
                     for t in ("media", "usage_events"))

    def explain(self, sql, params):
        db = self._open()
        try:
            return [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, params)]
        finally:
            db.close()

    def size_bytes(self):
        return sum(os.path.getsize(self.path + s) for s in ("", "-wal")
                   if os.path.exists(self.path + s))


# -- PostgreSQL --

PG_BIN = "/usr/lib/postgresql/15/bin"


def pipe_into(argv, chunks, what):
    """Runs argv with the byte chunks on its stdin; SetupError(what: stderr) if it fails."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        for chunk in chunks:
            p.stdin.write(chunk)
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read().decode()
    if p.wait() != 0:
        raise SetupError(f"{what}: {err[-800:]}")


def as_postgres(argv):
    # initdb refuses root: as root, the server runs as the Debian package's
    # `postgres` user, as scripts/test-postgres.sh does.
    return (["runuser", "-u", "postgres", "--"] + argv) if os.getuid() == 0 else argv


class Postgres:
    """A private PostgreSQL 15 on a Unix socket in `dir`, as the tests start
    one (scripts/test-postgres.sh): initdb, then pg_ctl; stopped and removed
    by stop()."""

    def __init__(self, dir):
        self.dir, self.data = dir, os.path.join(dir, "data")
        self.started = False

    def start(self):
        if not os.path.exists(f"{PG_BIN}/initdb"):
            raise SetupError("PostgreSQL 15 is not installed (scripts/install-deps.sh)")
        os.makedirs(self.dir, mode=0o700)
        if os.getuid() == 0:
            subprocess.run(["chown", "postgres:", self.dir], check=True)
        self._run([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"], "initdb")
        # As the tests' server (no fsync: nothing here is worth a sync, and
        # the bench measures reads), with memory for a 10,000,000-row table
        # and its index builds, and no checkpoint storms during COPY.
        opts = (f"-c listen_addresses='' -k {self.dir} -c fsync=off -c full_page_writes=off "
                "-c max_connections=50 -c shared_buffers=1GB -c maintenance_work_mem=1GB "
                "-c max_wal_size=16GB -c checkpoint_timeout=30min")
        self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                   "-w", "-t", "60", "-o", opts, "start"], "pg_ctl start")
        self.started = True
        self.psql("postgres", "CREATE DATABASE lethe_meta")

    def _run(self, argv, what):
        out = subprocess.run(as_postgres(argv), capture_output=True, text=True)
        if out.returncode != 0:
            raise SetupError(f"{what} failed: {out.stdout[-500:]}{out.stderr[-500:]}")

    def conninfo(self, db="lethe_meta"):
        return f"host={self.dir} user=postgres dbname={db}"

    def postmaster_pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def psql(self, db, sql, stdin=None):
        """Runs sql; returns stdout (text). stdin: an iterable of bytes for COPY."""
        argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.conninfo(db), "-c", sql]
        if stdin is None:
            out = subprocess.run(argv, capture_output=True, text=True)
            if out.returncode != 0:
                raise SetupError(f"psql: {sql[:80]}: {out.stderr[-500:]}")
            return out.stdout
        pipe_into(argv, stdin, f"psql: {sql[:80]}")
        return ""

    def rows(self, db, select):
        """(columns, rows) of a SELECT; values as text, NULL as None."""
        text = self.psql(db, f"COPY ({select}) TO STDOUT WITH (FORMAT text, HEADER true)")
        lines = text.rstrip("\n").split("\n")
        cols = lines[0].split("\t")
        return cols, [[None if v == r"\N" else v for v in ln.split("\t")] for ln in lines[1:]]

    def stop(self):
        if self.started and os.path.exists(os.path.join(self.data, "postmaster.pid")):
            subprocess.run(as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w",
                                        "stop"]), capture_output=True)
        self.started = False


def _copy_text(rows):
    # COPY's text format; no seeded value holds a tab, newline or backslash.
    return "".join("\t".join(r"\N" if v is None else str(v) for v in r) + "\n"
                   for r in rows).encode()


class PostgresSeeder:
    """Seeds the metadata database (the server stopped)."""

    def __init__(self, pg):
        self.pg = pg

    def templates(self, media_ids):
        out = {}
        for mid in media_ids:
            m = self._one("media", f"id = '{mid}'")
            acc = m.row[m.at["account_id"]]
            tags = self._one("media_tags", f"media_id = '{mid}'")
            usage = self._one("usage_events", f"account_id = '{acc}' AND route = '/v1/media'"
                                              " AND method = 'POST' AND status = 201")
            out[acc] = {"media": m, "media_tags": tags, "usage_events": usage}
        return out

    def _one(self, table, where):
        cols, rows = self.pg.rows("lethe_meta", f"SELECT * FROM {table} WHERE {where} LIMIT 1")
        if not rows:
            raise SetupError(f"no {table} row written by the server ({where})")
        return Template(table, cols, rows[0])

    def next_seqs(self):
        _, rows = self.pg.rows("lethe_meta", "SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM media),"
                                             " (SELECT COALESCE(MAX(seq), 0) + 1 FROM usage_events)")
        return int(rows[0][0]), int(rows[0][1])

    def seed(self, gen, first, count):
        names = ", ".join(f"'{t}'" for t in TABLES)
        _, idx = self.pg.rows("lethe_meta", "SELECT indexname, indexdef FROM pg_indexes WHERE "
                                            f"tablename IN ({names}) AND indexname NOT IN "
                                            "(SELECT conname FROM pg_constraint)")
        seq, useq = self.next_seqs()
        copies = {t: ", ".join(gen.templates[gen.accounts[0]][t].columns) for t in TABLES}
        # One transaction: drop the plain indexes, COPY the three tables
        # (foreign keys unchecked: every media's account exists, every tag's
        # media is in the same COPY), set the sequences, index again.
        head = ("SET session_replication_role = replica;\n" +
                "".join(f'DROP INDEX "{name}";\n' for name, _ in idx))
        tail = ("".join(f"{ddl};\n" for _, ddl in idx) +
                "SELECT setval(pg_get_serial_sequence('media', 'seq'), (SELECT MAX(seq) FROM media));\n"
                "SELECT setval(pg_get_serial_sequence('usage_events', 'seq'),"
                " (SELECT MAX(seq) FROM usage_events));\n")

        def stream():
            yield b"BEGIN;\n" + head.encode()
            done = 0
            # COPY of one table at a time: the generator's rows are kept as
            # COPY text per table in temporary files, then sent in turn.
            files = {t: open(os.path.join(self.pg.dir, f"seed.{t}"), "w+b") for t in TABLES}
            try:
                for media, tags, usage in gen.batches(first, count, seq, useq):
                    files["media"].write(_copy_text(media))
                    files["media_tags"].write(_copy_text(tags))
                    files["usage_events"].write(_copy_text(usage))
                    done += len(media)
                    if done % 1_000_000 < len(media):
                        log(f"  postgres: {done:,} of {count:,} media made")
                for t in TABLES:
                    log(f"  postgres: COPY {t}")
                    yield f"COPY {t} ({copies[t]}) FROM STDIN;\n".encode()
                    f = files[t]
                    f.seek(0)
                    while chunk := f.read(1 << 22):
                        yield chunk
                    yield b"\\.\n"
                log(f"  postgres: creating {len(idx)} indexes again")
                yield tail.encode() + b"COMMIT;\n"
            finally:
                for t, f in files.items():
                    f.close()
                    os.unlink(os.path.join(self.pg.dir, f"seed.{t}"))
        argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.pg.conninfo(), "-f", "-"]
        pipe_into(argv, stream(), "psql seeding failed")
        # As autovacuum would after such a load, now rather than during the
        # measurements: statistics for the planner, and the visibility map.
        log("  postgres: VACUUM ANALYZE")
        self.pg.psql("lethe_meta", "VACUUM ANALYZE")

    def explain(self, sql):
        return self.pg.psql("lethe_meta", "EXPLAIN " + sql)

    def size_bytes(self):
        _, rows = self.pg.rows("lethe_meta", "SELECT pg_database_size('lethe_meta')")
        return int(rows[0][0])
