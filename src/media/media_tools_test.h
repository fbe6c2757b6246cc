// Test support for src/media: media made by the ffmpeg and exiv2 command
// line tools into a TempDir, read back as bytes.
#pragma once

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace lethe::testing_media {

// Runs `command` through the shell, quietly; true when it exits 0.
inline bool Run(const std::string& command) {
  return std::system(("(" + command + ") >/dev/null 2>&1").c_str()) == 0;
}

inline std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// ffmpeg -y -loglevel error <args>; true on success.
inline bool Ffmpeg(const std::string& args) {
  return Run("ffmpeg -nostdin -y -loglevel error " + args);
}

// ffprobe's container and stream tags of `bytes`, which are written to
// `file` for ffprobe to read.
inline std::string FfprobeTags(const std::vector<uint8_t>& bytes, const std::string& file) {
  WriteFile(file, bytes);
  Run("ffprobe -v error -show_entries format_tags:stream_tags " + file + " > " + file + ".txt");
  std::vector<uint8_t> text = ReadFile(file + ".txt");
  return {text.begin(), text.end()};
}

}  // namespace lethe::testing_media
