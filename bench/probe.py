#!/usr/bin/env python3
"""Clients for bench/bench.py that must not share its interpreter (and GIL).

  probe.py healthz URL PAUSE_MS
      GETs URL (keep-alive) one request at a time, PAUSE_MS apart, until
      SIGTERM or SIGINT, then prints one JSON line: n, errors, p50_ms,
      p99_ms, max_ms, seconds, and worst: the five slowest probes as
      [when sent (Unix time), ms]. The latency of each request is measured on
      its own, from sending it to reading the whole response.

  probe.py signins URL EMAIL PASSWORD COUNT CONCURRENCY
      POSTs COUNT sign-ins (POST /v1/sessions) from CONCURRENCY threads,
      each on its own keep-alive connection, and prints one JSON line:
      count, ok, seconds, statuses.
"""
import http.client
import json
import signal
import sys
import threading
import time
import urllib.parse


def connect(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30), u.path or "/"


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    # Nearest rank: the smallest value with at least p% of samples at or below it.
    rank = max(1, int(-(-p * len(sorted_values) // 100)))
    return sorted_values[rank - 1]


def healthz(url, pause_ms):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    conn, path = connect(url)
    samples, sent_at, errors = [], [], 0
    start = time.perf_counter()
    print("ready", file=sys.stderr, flush=True)
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn, path = connect(url)
        t1 = time.perf_counter()
        if ok:
            samples.append((t1 - t0) * 1000.0)
            sent_at.append(time.time() - (t1 - t0))
        else:
            errors += 1
        if pause_ms > 0:
            stop.wait(pause_ms / 1000.0)
    seconds = time.perf_counter() - start
    worst = sorted(zip(samples, sent_at), reverse=True)[:5]
    samples.sort()
    print(json.dumps({
        "n": len(samples), "errors": errors, "seconds": round(seconds, 3),
        "p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99),
        "max_ms": samples[-1] if samples else 0.0,
        "worst": [[round(at, 4), round(ms, 2)] for ms, at in worst]}))


def signins(url, email, password, count, concurrency):
    body = json.dumps({"email": email, "password": password})
    headers = {"Content-Type": "application/json"}
    lock = threading.Lock()
    left = [count]
    statuses = {}

    def worker():
        conn, path = connect(url)
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = str(resp.status)
            except (OSError, http.client.HTTPException) as e:
                status = type(e).__name__
                conn.close()
                conn, path = connect(url)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"count": count, "ok": statuses.get("201", 0),
                      "seconds": round(time.perf_counter() - start, 3),
                      "statuses": statuses}))


def main(argv):
    if len(argv) == 4 and argv[1] == "healthz":
        healthz(argv[2], float(argv[3]))
    elif len(argv) == 7 and argv[1] == "signins":
        signins(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
