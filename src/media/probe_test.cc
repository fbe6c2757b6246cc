#include "media/probe.h"

#include <gtest/gtest.h>

#include "media/media_tools_test.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

using testing_media::Ffmpeg;
using testing_media::ReadFile;

class ProbeTest : public ::testing::Test {
 protected:
  // Probes the file at `path`, read into memory.
  Result<MediaProbe> ProbeFile(const std::string& path) {
    bytes_ = ReadFile(path);
    MemoryByteSource source(bytes_);
    return ProbeMedia(source, limits_);
  }
  TempDir dir_;
  ProbeLimits limits_;
  std::vector<uint8_t> bytes_;
};

TEST_F(ProbeTest, ReadsDurationResolutionCodecsAndFrameRateOfAnMp4_USE2) {
  const std::string mp4 = dir_.File("a.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=320x240:rate=30:duration=2 -f lavfi -i "
             "sine=frequency=440:duration=2 -c:v libx264 -preset ultrafast -c:a aac "
             "-shortest " +
             mp4));
  auto probe = ProbeFile(mp4);
  ASSERT_TRUE(probe.ok()) << probe.status().message();
  ASSERT_TRUE(probe->duration_ms);
  EXPECT_NEAR(*probe->duration_ms, 2000, 100);
  EXPECT_EQ(probe->width, 320);
  EXPECT_EQ(probe->height, 240);
  EXPECT_EQ(probe->codecs, (std::vector<std::string>{"h264", "aac"}));
  EXPECT_EQ(probe->frame_rate, "30/1");
  EXPECT_EQ(probe->rotation, 0);
}

TEST_F(ProbeTest, ReadsRotationFromTheDisplayMatrix_USE2) {
  const std::string plain = dir_.File("p.mp4");
  const std::string turned = dir_.File("r.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=160x120:rate=25:duration=1 -c:v libx264 "
             "-preset ultrafast " +
             plain));
  // A phone held upright: stored landscape, shown turned 90 degrees.
  ASSERT_TRUE(Ffmpeg("-display_rotation -90 -i " + plain + " -c copy " + turned) ||
              Ffmpeg("-i " + plain + " -c copy -metadata:s:v:0 rotate=90 " + turned));
  // ffprobe prints the display matrix's counter-clockwise angle; a player
  // turns the picture the other way.
  const std::string angle = dir_.File("angle.txt");
  ASSERT_TRUE(
      testing_media::Run("ffprobe -v error -select_streams v:0 -show_entries "
                         "stream_side_data=rotation -of csv=p=0 " +
                         turned + " > " + angle));
  std::vector<uint8_t> text = ReadFile(angle);
  const int ccw = std::stoi(std::string(text.begin(), text.end()));
  ASSERT_NE(ccw % 360, 0);
  auto probe = ProbeFile(turned);
  ASSERT_TRUE(probe.ok()) << probe.status().message();
  EXPECT_EQ(probe->rotation, ((-ccw) % 360 + 360) % 360);
  EXPECT_EQ(probe->width, 160);
}

TEST_F(ProbeTest, ReadsAudioAndImages_USE2) {
  const std::string ogg = dir_.File("a.ogg");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i sine=duration=1.5 -c:a libvorbis " + ogg));
  auto audio = ProbeFile(ogg);
  ASSERT_TRUE(audio.ok()) << audio.status().message();
  EXPECT_NEAR(audio->duration_ms.value_or(0), 1500, 100);
  EXPECT_FALSE(audio->width);
  EXPECT_EQ(audio->codecs, std::vector<std::string>{"vorbis"});

  const std::string jpeg = dir_.File("a.jpg");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i testsrc=size=640x480 -frames:v 1 " + jpeg));
  auto image = ProbeFile(jpeg);
  ASSERT_TRUE(image.ok()) << image.status().message();
  EXPECT_EQ(image->width, 640);
  EXPECT_EQ(image->height, 480);
  EXPECT_EQ(image->codecs, std::vector<std::string>{"mjpeg"});
  EXPECT_FALSE(image->duration_ms);
  EXPECT_FALSE(image->frame_rate);
}

TEST_F(ProbeTest, RefusesATruncatedMp4AndGarbage_USE2) {
  const std::string mp4 = dir_.File("t.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=160x120:rate=25:duration=2 -c:v libx264 "
             "-preset ultrafast " +
             mp4));
  std::vector<uint8_t> whole = ReadFile(mp4);
  std::vector<uint8_t> half(whole.begin(), whole.begin() + whole.size() / 2);
  MemoryByteSource cut(half);
  auto probe = ProbeMedia(cut);
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(probe.status().reason(), "undecodable-media");

  // moov first (faststart), then cut: the index points past the end.
  const std::string fast = dir_.File("f.mp4");
  ASSERT_TRUE(Ffmpeg("-i " + mp4 + " -c copy -movflags +faststart " + fast));
  whole = ReadFile(fast);
  half.assign(whole.begin(), whole.begin() + whole.size() / 2);
  MemoryByteSource cut_fast(half);
  probe = ProbeMedia(cut_fast);
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().reason(), "undecodable-media");
  EXPECT_NE(probe.status().message().find("truncated"), std::string::npos);

  std::vector<uint8_t> garbage(whole.begin(), whole.begin() + 32);  // an ftyp box
  garbage.resize(200000, 0x5A);
  MemoryByteSource junk(garbage);
  probe = ProbeMedia(junk);
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), Status::Code::kUnsupportedMedia);
}

// A PNG whose header claims 100000 x 100000 pixels (40 GB decoded) is
// refused from its header, without allocating a frame.
TEST_F(ProbeTest, RefusesAnImageWithHugeDeclaredDimensionsWithoutAllocating_USE2) {
  const std::string png = dir_.File("small.png");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i color=c=red:size=16x16 -frames:v 1 " + png));
  std::vector<uint8_t> bytes = ReadFile(png);
  ASSERT_GT(bytes.size(), 33u);
  // IHDR: width and height at offsets 16 and 20, big-endian; the CRC after
  // them is left wrong, as a crafted file might.
  const uint32_t huge = 100000;
  for (int at : {16, 20}) {
    bytes[at] = static_cast<uint8_t>(huge >> 24);
    bytes[at + 1] = static_cast<uint8_t>(huge >> 16);
    bytes[at + 2] = static_cast<uint8_t>(huge >> 8);
    bytes[at + 3] = static_cast<uint8_t>(huge);
  }
  MemoryByteSource source(bytes);
  auto probe = ProbeMedia(source);
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(probe.status().reason(), "media-too-large-dimensions");
}

}  // namespace
}  // namespace lethe
