#include "media/web_rendition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "media/media_tools_test.h"
#include "media/probe.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

using testing_media::BoxIndex;
using testing_media::Ffmpeg;
using testing_media::ReadFile;
using testing_media::TopBoxes;

class WebRenditionTest : public ::testing::Test {
 protected:
  Result<MediaProbe> Probe(const std::string& bytes) {
    MemoryByteSource source(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    return ProbeMedia(source, ProbeLimits{});
  }
  TempDir dir_;
};

TEST_F(WebRenditionTest, Mpeg4AndMp3BecomeH264AndAacWithTheIndexFirstAndTheAspectKept) {
  const std::string avi = dir_.File("in.avi");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=640x360:rate=25:duration=2 -f lavfi -i "
             "sine=frequency=440:duration=2 -c:v mpeg4 -c:a libmp3lame -shortest " +
             avi));
  std::vector<double> progress;
  WebRenditionOptions options;
  options.max_width = 320;
  options.progress = [&](double done) { progress.push_back(done); };
  Result<std::string> mp4 = MakeWebRendition(ReadFile(avi), options);
  ASSERT_TRUE(mp4.ok()) << mp4.status().message();
  auto probe = Probe(*mp4);
  ASSERT_TRUE(probe.ok()) << probe.status().message();
  EXPECT_EQ(probe->codecs, (std::vector<std::string>{"h264", "aac"}));
  EXPECT_EQ(probe->width, 320);
  EXPECT_EQ(probe->height, 180);
  ASSERT_TRUE(probe->duration_ms);
  EXPECT_NEAR(static_cast<double>(*probe->duration_ms), 2000, 150);
  std::vector<std::string> boxes = TopBoxes(*mp4);
  ASSERT_LT(BoxIndex(boxes, "moov"), boxes.size());
  ASSERT_LT(BoxIndex(boxes, "mdat"), boxes.size());
  EXPECT_LT(BoxIndex(boxes, "moov"), BoxIndex(boxes, "mdat")) << "faststart: the index first";
  // Progress grows, stays below 1 while working, and ends at 1.
  ASSERT_GE(progress.size(), 10u);
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_GT(progress.front(), 0.0);
  EXPECT_LT(progress[progress.size() - 2], 1.0);
  EXPECT_EQ(progress.back(), 1.0);
}

TEST_F(WebRenditionTest, AudioAloneGivesAnAacOnlyMp4AndTheRotationIsKept) {
  const std::string ogg = dir_.File("in.ogg");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i sine=frequency=300:duration=3 -ac 2 -c:a libvorbis " + ogg));
  Result<std::string> m4a = MakeWebRendition(ReadFile(ogg));
  ASSERT_TRUE(m4a.ok()) << m4a.status().message();
  auto probe = Probe(*m4a);
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(probe->codecs, (std::vector<std::string>{"aac"}));
  EXPECT_NEAR(static_cast<double>(probe->duration_ms.value_or(0)), 3000, 150);

  const std::string plain = dir_.File("plain.mp4"), turned = dir_.File("turned.mp4");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i testsrc=size=320x240:rate=25:duration=1 -c:v libx264 " + plain));
  ASSERT_TRUE(Ffmpeg("-i " + plain + " -c copy -metadata:s:v:0 rotate=90 " + turned));
  Result<std::string> mp4 = MakeWebRendition(ReadFile(turned));
  ASSERT_TRUE(mp4.ok()) << mp4.status().message();
  std::vector<uint8_t> source_bytes = ReadFile(turned);
  auto source = Probe(std::string(source_bytes.begin(), source_bytes.end()));
  auto rotated = Probe(*mp4);
  ASSERT_TRUE(source.ok() && rotated.ok());
  EXPECT_NE(source->rotation.value_or(0), 0)
      << "the source is not turned: the check proves nothing";
  EXPECT_EQ(rotated->rotation, source->rotation);
}

TEST_F(WebRenditionTest, NoiseIsUndecodableAndAnOversizedResultIsALimit) {
  std::vector<uint8_t> noise(64 * 1024);
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<uint8_t>(i * 131 + 7);
  Result<std::string> bad = MakeWebRendition(noise);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().reason(), "media-undecodable");

  const std::string webm = dir_.File("in.webm");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=320x240:rate=25:duration=2 -c:v libvpx -b:v 300k " + webm));
  WebRenditionOptions small;
  small.max_bytes = 4096;
  Result<std::string> capped = MakeWebRendition(ReadFile(webm), small);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().reason(), "processing-limit") << capped.status().message();
}

}  // namespace
}  // namespace lethe
