// The media worker: `lethe worker poster|transcript KIND`, started by the
// server (ProcessMediaWorker) with CPU-time and memory limits already set.
// It reads the media's plaintext from stdin, writes the artifact (WebP
// bytes, or the transcript's JSON) to stdout, and exits:
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
