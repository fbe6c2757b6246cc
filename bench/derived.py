#!/usr/bin/env python3
"""Posters, transcripts and web renditions benchmark (issue 14, "Measure it").

Times the media worker the server runs for each artifact, `lethe worker
poster|transcript|web KIND < media > artifact`, on media made here with
ffmpeg and espeak-ng, and prints one result line per figure:

  derived-poster      ms per 1280x720 H.264 video (the frame at 10 %),
                      median of the runs, for a 60 s and a 10 min video
  derived-transcript  speed in x real time (audio seconds per wall second)
                      on speech of about 60 s
  derived-web         transcode speed in x real time (video seconds per wall
                      second) of a 60 s 1280x720 MPEG-4 part 2 + MP3 video
                      to the web rendition (H.264/AAC MP4, faststart)

There is no bar in the issue: the figures are reported, not judged.

  bench/derived.py LETHE_BINARY WORK_DIR
"""
import shutil
import statistics
import subprocess
import sys
import time


def run(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def make_video(path, seconds):
    run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size=1280x720:rate=25:duration={seconds}", "-c:v", "libx264",
         "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "50", path])


def make_speech(work, seconds_wanted):
    text = ("hello world. one two three. the quick brown fox jumps over the lazy dog. "
            "media stays on the premises and nothing leaves the machine. ")
    wav = f"{work}/speech-part.wav"
    run(["espeak-ng", "-v", "en-us+m1", "-s", "120", "-w", wav, text])
    # Repeat the sentence to about the wanted length.
    part = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                 "-of", "csv=p=0", wav], capture_output=True, text=True,
                                check=True).stdout.strip())
    loops = max(1, int(seconds_wanted / part))
    out = f"{work}/speech.wav"
    run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops - 1), "-i", wav, "-c", "copy", out])
    return out, part * loops


def make_web_source(path, seconds):
    # Codecs a browser does not play, so the transcode changes both.
    run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size=1280x720:rate=25:duration={seconds}", "-f", "lavfi", "-i",
         f"sine=frequency=440:duration={seconds}", "-c:v", "mpeg4", "-q:v", "4",
         "-c:a", "libmp3lame", "-shortest", path])


def timed_worker(lethe, task, kind, path):
    with open(path, "rb") as src:
        start = time.monotonic()
        p = subprocess.run([lethe, "worker", task, kind], stdin=src, capture_output=True)
        elapsed = time.monotonic() - start
    if p.returncode != 0:
        raise RuntimeError(f"worker {task} exited {p.returncode}: {p.stderr.decode()[:200]}")
    return elapsed, p.stdout


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    lethe, work = sys.argv[1], sys.argv[2]
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if shutil.which(tool) is None:
            print(f"bench: {tool} is missing (scripts/install-deps.sh)", file=sys.stderr)
            return 2
    for seconds in (60, 600):
        video = f"{work}/video-{seconds}.mp4"
        print(f"bench: making a {seconds} s 720p video", file=sys.stderr)
        make_video(video, seconds)
        times = [timed_worker(lethe, "poster", "video", video)[0] for _ in range(3)]
        print(f"derived-poster video={seconds}s 1280x720 h264: "
              f"{statistics.median(times) * 1000:.0f} ms per poster (median of 3)", flush=True)
    speech, seconds = make_speech(work, 60)
    elapsed, out = timed_worker(lethe, "transcript", "audio", speech)
    print(f"derived-transcript speech={seconds:.0f}s: {seconds / elapsed:.1f}x real time "
          f"({elapsed:.1f} s, {len(out)} bytes of transcript)", flush=True)
    source = f"{work}/web-source.mkv"
    print("bench: making a 60 s 720p MPEG-4 part 2 + MP3 video", file=sys.stderr)
    make_web_source(source, 60)
    elapsed, out = timed_worker(lethe, "web", "video", source)
    print(f"derived-web video=60s 1280x720 mpeg4+mp3 -> h264+aac mp4: "
          f"{60 / elapsed:.2f}x real time ({elapsed:.1f} s, {len(out)} bytes, one encoder thread)",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
