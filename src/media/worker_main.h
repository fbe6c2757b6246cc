// The media worker: `lethe worker poster|transcript KIND` or `lethe worker
// web KIND [MAX_BYTES]`, started by the server (ProcessMediaWorker) with
// CPU-time and memory limits already set. It reads the media's plaintext
// from stdin, writes the artifact (WebP bytes, the transcript's JSON, or
// the web rendition's MP4) to stdout, tells its progress on stderr as
// lines "progress 0.42" (the web rendition), and exits:
//   0  done;
//   3  the media cannot be decoded (the reason on stderr);
//   4  a limit was hit (the picture is too large, memory ran out);
//   2  bad arguments; 1 anything else.
// It needs nothing of the server: no store, no keys, no network.
#pragma once

#include <string>
#include <vector>

namespace lethe {

inline constexpr int kWorkerUndecodable = 3;
inline constexpr int kWorkerLimit = 4;

int RunMediaWorker(const std::vector<std::string>& args);

}  // namespace lethe
