// Test support for src/media (and the media e2e tests): media made by the
// ffmpeg and exiv2 command line tools into a TempDir, read back as bytes,
// and the box layout of an MP4.
#pragma once

#include <algorithm>
#include <cstdint>
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

// ffmpeg input arguments for a phone-like QuickTime clip (2 s of 160x120
// H.264 and AAC, made once into `base`) held upright (a display matrix)
// and with a stream date; the caller adds container tags and the output.
inline std::string PhoneClipSource(const std::string& base) {
  if (!Ffmpeg("-f lavfi -i testsrc=size=160x120:rate=25:duration=2 -f lavfi -i "
              "sine=duration=2 -c:v libx264 -preset ultrafast -c:a aac -shortest " +
              base)) {
    return "";
  }
  return "-i " + base +
         " -c copy -metadata:s:v:0 rotate=90 -metadata:s:v:0 creation_time=2024-05-01T10:00:00Z ";
}

// ffprobe's container and stream tags of `bytes`, which are written to
// `file` for ffprobe to read.
inline std::string FfprobeTags(const std::vector<uint8_t>& bytes, const std::string& file) {
  WriteFile(file, bytes);
  Run("ffprobe -v error -show_entries format_tags:stream_tags " + file + " > " + file + ".txt");
  std::vector<uint8_t> text = ReadFile(file + ".txt");
  return {text.begin(), text.end()};
}

// The top-level ISO BMFF boxes of `mp4` ("ftyp", "moov", "mdat"...), in
// file order.
inline std::vector<std::string> TopBoxes(const std::string& mp4) {
  std::vector<std::string> boxes;
  size_t at = 0;
  while (at + 8 <= mp4.size()) {
    const auto* p = reinterpret_cast<const unsigned char*>(mp4.data() + at);
    uint64_t size = (uint64_t{p[0]} << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
    boxes.emplace_back(mp4.data() + at + 4, 4);
    if (size == 1 && at + 16 <= mp4.size()) {  // a 64-bit size follows
      size = 0;
      for (int i = 8; i < 16; ++i) size = (size << 8) | p[i];
    }
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

// Where `box` is among `boxes` (boxes.size() when it is not).
inline size_t BoxIndex(const std::vector<std::string>& boxes, const std::string& box) {
  return static_cast<size_t>(std::find(boxes.begin(), boxes.end(), box) - boxes.begin());
}

}  // namespace lethe::testing_media
