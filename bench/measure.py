"""Processes and measurements for bench/bench.py: starting and stopping the
processes a run needs, by pid; the CPU time they use, from /proc/PID/stat
(servers) or wait4 (clients); the samples each comparison collects."""
import os
import signal
import subprocess
import sys

TICK = os.sysconf("SC_CLK_TCK")


class SetupError(Exception):
    """The bench could not set up: exit 2."""


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Procs:
    """Every process the bench starts, so that stop_all() can end them by pid."""

    def __init__(self):
        self.live = []

    def start(self, argv, cpus=None, **kw):
        def pin():
            if cpus:
                os.sched_setaffinity(0, cpus)
        p = subprocess.Popen(argv, preexec_fn=pin, **kw)
        self.live.append(p)
        return p

    def reap(self, p):
        """Waits for p; returns (exit code, CPU seconds it and its children used)."""
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        self.live.remove(p)
        return p.returncode, ru.ru_utime + ru.ru_stime

    def stop(self, p, sig=signal.SIGTERM, grace=10.0):
        if p not in self.live:
            return
        try:
            p.send_signal(sig)
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        except ProcessLookupError:
            pass
        self.live.remove(p)

    def stop_all(self):
        for p in list(self.live):
            self.stop(p, grace=5.0)


def proc_stat(pid):
    """Fields of /proc/PID/stat after the command name, or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def cpu_seconds(pids):
    """User + system CPU time of these processes (all their threads)."""
    total = 0
    for pid in pids:
        s = proc_stat(pid)
        if s:
            total += int(s[11]) + int(s[12])  # utime, stime
    return total / TICK


def children_of(ppid):
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = proc_stat(name)
            if s and s[1] == str(ppid):
                kids.append(int(name))
    return kids


class Server:
    """A server under test; cpu() covers its whole process tree's threads
    (nginx: the master and its workers)."""

    def __init__(self, name, proc, with_children=False):
        self.name, self.proc, self.with_children = name, proc, with_children

    def cpu(self):
        pids = [self.proc.pid]
        if self.with_children:
            pids += children_of(self.proc.pid)
        return cpu_seconds(pids)


class Sample:
    """One measured run: `units` of work (bytes, requests, files) in `secs`,
    with the CPU seconds the server and the client spent meanwhile."""

    def __init__(self, units, secs, server_cpu, client_cpu=0.0, note=""):
        self.units, self.secs = units, secs
        self.server_cpu, self.client_cpu, self.note = server_cpu, client_cpu, note
        self.backing = {}  # CPU seconds of the stores behind lethe (pg+s3), by name

    def rate(self):
        return self.units / self.secs if self.secs > 0 else 0.0


class Side:
    """All the samples of one side of a comparison."""

    def __init__(self, name):
        self.name, self.samples = name, []

    def best(self):
        # Load from elsewhere on the machine only ever slows a run down, so
        # the fastest run is the least disturbed one.
        return max(self.samples, key=lambda s: s.rate())

    def cpu_per_unit(self):
        units = sum(s.units for s in self.samples)
        return sum(s.server_cpu for s in self.samples) / units if units else 0.0

    def client_cores(self):
        secs = sum(s.secs for s in self.samples)
        return sum(s.client_cpu for s in self.samples) / secs if secs else 0.0

    def backing_per_unit(self, name):
        units = sum(s.units for s in self.samples)
        return sum(s.backing.get(name, 0.0) for s in self.samples) / units if units else 0.0

    def backing_cores(self, name):
        secs = sum(s.secs for s in self.samples)
        return sum(s.backing.get(name, 0.0) for s in self.samples) / secs if secs else 0.0

    def server_cores(self):
        secs = sum(s.secs for s in self.samples)
        return sum(s.server_cpu for s in self.samples) / secs if secs else 0.0
