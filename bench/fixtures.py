"""The inputs bench/bench.py sends: a large MP4, a tiny PNG and wrk scripts."""
import os
import struct
import zlib

from measure import SetupError

MIB = 1 << 20


def make_media(path, size):
    """An MP4 (an ftyp box, which the sniffer checks) of `size` random bytes."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    with open(path, "wb") as f:
        f.write(head)
        left = size - len(head)
        block = os.urandom(4 * MIB)
        while left > 0:
            # Fresh random bytes every 4 MiB would cost seconds per GiB;
            # a random block with its first bytes changed is enough, since
            # nothing on either side compresses or deduplicates.
            chunk = os.urandom(16) + block[16:min(len(block), left)]
            f.write(chunk[:left])
            left -= len(chunk)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(path, size=1024):
    """A valid 16x16 RGB PNG of noise, padded with a tEXt chunk to `size` bytes."""
    raw = b"".join(b"\x00" + os.urandom(48) for _ in range(16))
    body = (b"\x89PNG\r\n\x1a\n" +
            png_chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) +
            png_chunk(b"IDAT", zlib.compress(raw, 9)))
    end = png_chunk(b"IEND", b"")
    pad = size - len(body) - len(end) - 12 - len(b"Comment\x00")
    if pad < 0:
        raise SetupError("the PNG does not fit in its size")
    body += png_chunk(b"tEXt", b"Comment\x00" + b"x" * pad) + end
    with open(path, "wb") as f:
        f.write(body)


REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d bytes=%d duration_us=%d errors=%d non2xx=%d\\n",
    summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""

POST_LUA = """
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
"""
