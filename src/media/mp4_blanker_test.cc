#include "media/mp4_blanker.h"

#include <gtest/gtest.h>

#include <random>

#include "media/media_tools_test.h"
#include "media/probe.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

using testing_media::Ffmpeg;
using testing_media::ReadFile;
using testing_media::WriteFile;

class Mp4BlankerTest : public ::testing::Test {
 protected:
  // Feeds `in` in pieces of random sizes (1 byte to 64 KiB) and returns
  // what came out.
  std::vector<uint8_t> Blank(Mp4Blanker& blanker, const std::vector<uint8_t>& in,
                             std::vector<uint8_t>& out, unsigned seed = 7) {
    std::mt19937 rng(seed);
    size_t at = 0;
    while (at < in.size()) {
      size_t n = std::min<size_t>(in.size() - at, 1 + rng() % (rng() % 2 ? 16 : 65536));
      EXPECT_TRUE(blanker.Feed(std::span<const uint8_t>(in.data() + at, n)).ok());
      at += n;
    }
    EXPECT_TRUE(blanker.Finish().ok());
    return out;
  }
  std::string TagDump(const std::vector<uint8_t>& bytes) {
    return testing_media::FfprobeTags(bytes, dir_.File("dump.mp4"));
  }
  static Mp4Blanker::Sink Into(std::vector<uint8_t>& out) {
    return [&out](std::span<const uint8_t> b) {
      out.insert(out.end(), b.begin(), b.end());
      return Status::Ok();
    };
  }
  static std::vector<uint8_t> Undone(const std::vector<uint8_t>& blanked,
                                     const std::vector<BytePatch>& undo) {
    MemoryByteSource base(blanked);
    UndoneByteSource source(base, undo);
    std::vector<uint8_t> all(blanked.size());
    // In odd-sized reads, so that patches straddle read boundaries.
    for (size_t at = 0; at < all.size();) {
      size_t n = std::min<size_t>(777, all.size() - at);
      auto got = source.ReadAt(at, std::span<uint8_t>(all.data() + at, n));
      EXPECT_TRUE(got.ok());
      if (!got.ok() || *got == 0) break;
      at += *got;
    }
    return all;
  }
  // `file` with its moov/udta/meta box moved up to moov/meta, as Apple
  // writes it. The moov must be last (nothing after it moves) and its
  // udta must hold the meta box alone.
  static std::vector<uint8_t> HoistMeta(std::vector<uint8_t> file) {
    auto be32 = [&](size_t at) {
      return (uint32_t{file[at]} << 24) | (uint32_t{file[at + 1]} << 16) |
             (uint32_t{file[at + 2]} << 8) | file[at + 3];
    };
    auto put32 = [&](size_t at, uint32_t v) {
      for (int i = 0; i < 4; ++i) file[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
    };
    auto type = [&](size_t at) {
      return std::string(file.begin() + at + 4, file.begin() + at + 8);
    };
    size_t moov = 0;
    while (moov < file.size() && type(moov) != "moov") moov += be32(moov);
    EXPECT_EQ(moov + be32(moov), file.size()) << "the moov is not last";
    for (size_t at = moov + 8; at < file.size(); at += be32(at)) {
      if (type(at) != "udta") continue;
      EXPECT_EQ(type(at + 8), "meta");
      EXPECT_EQ(be32(at), be32(at + 8) + 8) << "the udta holds more than its meta";
      file.erase(file.begin() + static_cast<ptrdiff_t>(at),
                 file.begin() + static_cast<ptrdiff_t>(at + 8));
      put32(moov, be32(moov) - 8);
      return file;
    }
    ADD_FAILURE() << "no udta in the moov";
    return file;
  }
  TempDir dir_;
};

// Phone-style files both ways round (index first and index last), tagged
// in `udta` (©xyz, make, model) and in `meta` keys (Apple's ISO 6709 key).
TEST_F(Mp4BlankerTest, BlanksLocationDeviceAndDatesInPlaceAndCanUndoIt_USE3) {
  const std::string kSource = testing_media::PhoneClipSource(dir_.File("base.mov"));
  ASSERT_FALSE(kSource.empty());
  const std::string kUdta =
      "-metadata location=+48.8583+002.2945/ -metadata creation_time=2024-05-01T10:00:00Z "
      "-metadata make=Apple -metadata model=iPhone12 ";
  const std::string kKeys =
      "-metadata com.apple.quicktime.location.ISO6709=+48.8583+002.2945/ "
      "-metadata com.apple.quicktime.make=Apple -metadata com.apple.quicktime.model=iPhone12 ";
  struct Case {
    std::string tags, flags;
    bool meta_in_moov;  // Apple's layout: moov/meta, not moov/udta/meta
  };
  const std::vector<Case> cases = {
      {kUdta, "", false},
      {kUdta, "-movflags +faststart ", false},
      {kKeys, "-movflags use_metadata_tags ", false},
      {kKeys, "-movflags use_metadata_tags+faststart ", false},
      {kKeys, "-movflags use_metadata_tags ", true},
  };
  int n = 0;
  for (const auto& [tags, flags, meta_in_moov] : cases) {
    {
      const std::string mov = dir_.File("phone" + std::to_string(n++) + ".mov");
      const std::string args = kSource + tags + flags + (meta_in_moov ? "(meta in moov) " : "");
      ASSERT_TRUE(Ffmpeg(kSource + tags + flags + mov)) << args;
      std::vector<uint8_t> original = ReadFile(mov);
      if (meta_in_moov) original = HoistMeta(original);
      ASSERT_NE(TagDump(original).find("48.8583"), std::string::npos) << args;

      std::vector<uint8_t> out;
      Mp4Blanker blanker(Into(out));
      Blank(blanker, original, out, static_cast<unsigned>(n));
      EXPECT_TRUE(blanker.complete()) << args;
      ASSERT_EQ(out.size(), original.size());
      const std::string after = TagDump(out);
      for (const char* gone :
           {"48.8583", "location", "creation_time", "2024", "Apple", "iPhone", "ISO6709"}) {
        EXPECT_EQ(after.find(gone), std::string::npos) << gone << " remains (" << args << "):\n"
                                                       << after;
      }
      // Not a tag parser's view only: the bytes are gone from the file.
      const std::string raw(out.begin(), out.end());
      EXPECT_EQ(raw.find("48.8583"), std::string::npos) << args;
      EXPECT_EQ(raw.find("iPhone12"), std::string::npos) << args;
      // The same streams: codecs, size, duration and rotation.
      MemoryByteSource before_src(original), after_src(out);
      auto before = ProbeMedia(before_src);
      auto probe = ProbeMedia(after_src);
      ASSERT_TRUE(before.ok() && probe.ok()) << args;
      EXPECT_EQ(probe->codecs, before->codecs);
      EXPECT_EQ(probe->width, 160);
      EXPECT_NE(probe->rotation, 0);
      EXPECT_EQ(probe->rotation, before->rotation);
      EXPECT_EQ(probe->duration_ms, before->duration_ms);
      // Only small ranges changed, and undoing them gives the file back.
      uint64_t changed = 0;
      for (const BytePatch& p : blanker.undo()) changed += p.original.size();
      EXPECT_GT(changed, 0u);
      EXPECT_LT(changed, 4096u) << args;
      EXPECT_EQ(Undone(out, blanker.undo()), original) << args;
    }
  }
}

TEST_F(Mp4BlankerTest, WhatItCannotWalkGoesThroughUnchangedAndIncomplete_USE3) {
  const std::string mp4 = dir_.File("tagged.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=160x120:duration=1 -c:v libx264 -preset ultrafast "
             "-metadata location=+48.8583+002.2945/ " +
             mp4));
  const std::vector<uint8_t> original = ReadFile(mp4);
  {  // a moov over the bound
    std::vector<uint8_t> out;
    Mp4Blanker blanker(Into(out), 64);
    Blank(blanker, original, out);
    EXPECT_FALSE(blanker.complete());
    EXPECT_TRUE(blanker.undo().empty());
    EXPECT_EQ(out, original);
  }
  {  // cut short inside its last box (the moov, written last)
    std::vector<uint8_t> cut(original.begin(), original.end() - 100);
    std::vector<uint8_t> out;
    Mp4Blanker blanker(Into(out));
    Blank(blanker, cut, out);
    EXPECT_FALSE(blanker.complete());
    EXPECT_EQ(out, cut);
  }
  {  // a moov whose children do not add up
    std::vector<uint8_t> bad = original;
    const std::string raw(bad.begin(), bad.end());
    size_t mvhd = raw.find("mvhd");
    ASSERT_NE(mvhd, std::string::npos);
    bad[mvhd - 4] = 0x7f;  // mvhd claims ~2 GB
    std::vector<uint8_t> out;
    Mp4Blanker blanker(Into(out));
    Blank(blanker, bad, out);
    EXPECT_FALSE(blanker.complete());
    EXPECT_EQ(out.size(), bad.size());
  }
  {  // not an MP4 at all
    std::vector<uint8_t> noise(10000);
    std::mt19937 rng(3);
    for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
    std::vector<uint8_t> out;
    Mp4Blanker blanker(Into(out));
    Blank(blanker, noise, out);
    EXPECT_EQ(out, noise);
  }
}

TEST_F(Mp4BlankerTest, TheSinksErrorStopsIt) {
  const std::string mp4 = dir_.File("plain.mp4");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i testsrc=size=160x120:duration=1 -c:v libx264 " + mp4));
  const std::vector<uint8_t> original = ReadFile(mp4);
  Mp4Blanker blanker([](std::span<const uint8_t>) { return Status::Internal("disk full"); });
  Status st = blanker.Feed(original);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace lethe
