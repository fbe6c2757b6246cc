#include "media/scrub.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "media/media_tools_test.h"
#include "media/probe.h"
#include "testing/temp_dir.h"

namespace lethe {
namespace {

using testing_media::Ffmpeg;
using testing_media::ReadFile;
using testing_media::WriteFile;

bool Has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class ScrubTest : public ::testing::Test {
 protected:
  // `exiv2 -pa` of `bytes` (all EXIF, IPTC and XMP tags with values).
  std::string ExifDump(const std::vector<uint8_t>& bytes) {
    const std::string f = dir_.File("dump.jpg");
    const std::string out = dir_.File("dump.txt");
    WriteFile(f, bytes);
    testing_media::Run("exiv2 -q -pa " + f + " > " + out);
    std::vector<uint8_t> text = ReadFile(out);
    return {text.begin(), text.end()};
  }
  // ffprobe's container and stream tags of `bytes`.
  std::string TagDump(const std::vector<uint8_t>& bytes) {
    return testing_media::FfprobeTags(bytes, dir_.File("dump.mp4"));
  }
  TempDir dir_;
};

// A phone photo: GPS position, make, model, serial number, a thumbnail in
// EXIF, and an orientation that must survive.
TEST_F(ScrubTest, RemovesGpsDeviceAndThumbnailFromAJpegKeepingOrientation_USE3) {
  const std::string jpg = dir_.File("phone.jpg");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i testsrc=size=640x480 -frames:v 1 " + jpg));
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=160x120 -frames:v 1 " + dir_.File("phone-thumb.jpg")));
  ASSERT_TRUE(testing_media::Run(
      "exiv2 -q -M'set Exif.Image.Make Apple' -M'set Exif.Image.Model iPhone 12' "
      "-M'set Exif.Image.Orientation 6' -M'set Exif.Photo.BodySerialNumber C39XK1' "
      "-M'set Exif.GPSInfo.GPSLatitudeRef N' "
      "-M'set Exif.GPSInfo.GPSLatitude 48/1 51/1 2958/100' "
      "-M'set Exif.GPSInfo.GPSLongitudeRef E' "
      "-M'set Exif.GPSInfo.GPSLongitude 2/1 17/1 4020/100' "
      "-M'set Xmp.tiff.Model iPhone 12' mo " +
      jpg));
  ASSERT_TRUE(testing_media::Run("exiv2 -q -it insert " + jpg));
  std::vector<uint8_t> original = ReadFile(jpg);
  const std::string before = ExifDump(original);
  ASSERT_NE(before.find("GPSLatitude"), std::string::npos) << before;
  ASSERT_NE(before.find("Exif.Thumbnail"), std::string::npos) << before;

  MemoryByteSource source(original);
  auto scrubbed = ScrubMetadata("jpeg", source);
  ASSERT_TRUE(scrubbed.ok()) << scrubbed.status().message();
  ASSERT_TRUE(scrubbed->bytes);
  const std::string after = ExifDump(*scrubbed->bytes);
  for (const char* gone : {"GPS", "Apple", "iPhone", "C39XK1", "Exif.Thumbnail", "Make", "Model"}) {
    EXPECT_EQ(after.find(gone), std::string::npos) << gone << " remains:\n" << after;
  }
  EXPECT_NE(after.find("Exif.Image.Orientation"), std::string::npos) << after;
  for (const char* name : {"Exif.GPSInfo.GPSLatitude", "Exif.Image.Make", "Exif.Image.Model",
                           "Exif.Photo.BodySerialNumber", "Exif.Thumbnail", "Xmp.tiff.Model"}) {
    EXPECT_TRUE(Has(scrubbed->removed, name)) << name;
  }
  for (const std::string& name : scrubbed->removed) {
    EXPECT_EQ(name.find("Apple"), std::string::npos) << "a value in the names: " << name;
  }
  // Still the same picture.
  MemoryByteSource again(*scrubbed->bytes);
  auto probe = ProbeMedia(again);
  ASSERT_TRUE(probe.ok()) << probe.status().message();
  EXPECT_EQ(probe->width, 640);
}

TEST_F(ScrubTest, LeavesAFileWithNothingToRemoveUntouched_USE3) {
  const std::string jpg = dir_.File("plain.jpg");
  ASSERT_TRUE(Ffmpeg("-f lavfi -i testsrc=size=64x48 -frames:v 1 " + jpg));
  std::vector<uint8_t> bytes = ReadFile(jpg);
  MemoryByteSource source(bytes);
  auto scrubbed = ScrubMetadata("jpeg", source);
  ASSERT_TRUE(scrubbed.ok()) << scrubbed.status().message();
  EXPECT_FALSE(scrubbed->bytes);
  EXPECT_TRUE(scrubbed->removed.empty());

  const std::string mp4 = dir_.File("plain.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=64x48:duration=1 -c:v libx264 -preset ultrafast " + mp4));
  bytes = ReadFile(mp4);
  MemoryByteSource video(bytes);
  scrubbed = ScrubMetadata("mp4", video);
  ASSERT_TRUE(scrubbed.ok()) << scrubbed.status().message();
  EXPECT_FALSE(scrubbed->bytes);
}

// A phone video in QuickTime, tagged as ffmpeg writes udta (©xyz, ©mak,
// ©mod) and as an iPhone writes mdta keys (ISO 6709 location).
TEST_F(ScrubTest, RemuxesAVideoWithoutLocationCreationTimeOrDevice_USE3) {
  const std::string kSource = testing_media::PhoneClipSource(dir_.File("base.mov"));
  ASSERT_FALSE(kSource.empty());
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"-metadata location=+48.8583+002.2945/ -metadata creation_time=2024-05-01T10:00:00Z "
       "-metadata make=Apple -metadata model=iPhone12 ",
       {"location", "creation_time", "make", "model", "stream.creation_time"}},
      {"-movflags use_metadata_tags "
       "-metadata com.apple.quicktime.location.ISO6709=+48.8583+002.2945/ "
       "-metadata com.apple.quicktime.make=Apple -metadata com.apple.quicktime.model=iPhone12 ",
       {"com.apple.quicktime.location.ISO6709", "com.apple.quicktime.make",
        "com.apple.quicktime.model"}},
  };
  int n = 0;
  for (const auto& [tags, names] : cases) {
    const std::string mov = dir_.File("phone" + std::to_string(n++) + ".mov");
    ASSERT_TRUE(Ffmpeg(kSource + tags + mov)) << tags;
    std::vector<uint8_t> original = ReadFile(mov);
    const std::string before = TagDump(original);
    ASSERT_NE(before.find("48.8583"), std::string::npos) << before;
    MemoryByteSource source(original);
    auto probe_before = ProbeMedia(source);
    ASSERT_TRUE(probe_before.ok());

    auto scrubbed = ScrubMetadata("mp4", source);
    ASSERT_TRUE(scrubbed.ok()) << scrubbed.status().message();
    ASSERT_TRUE(scrubbed->bytes);
    const std::string after = TagDump(*scrubbed->bytes);
    for (const char* gone : {"48.8583", "location", "creation_time", "2024", "Apple", "iPhone"}) {
      EXPECT_EQ(after.find(gone), std::string::npos) << gone << " remains:\n" << after;
    }
    for (const std::string& name : names) EXPECT_TRUE(Has(scrubbed->removed, name)) << name;
    // The same streams, not re-encoded: same codecs, size, duration, rotation.
    MemoryByteSource out(*scrubbed->bytes);
    auto probe = ProbeMedia(out);
    ASSERT_TRUE(probe.ok()) << probe.status().message();
    EXPECT_EQ(probe->format, probe_before->format);
    EXPECT_EQ(probe->codecs, probe_before->codecs);
    EXPECT_EQ(probe->width, 160);
    EXPECT_EQ(probe->rotation, probe_before->rotation);
    EXPECT_NE(probe->rotation, 0);
    EXPECT_NEAR(*probe->duration_ms, *probe_before->duration_ms, 50);
    EXPECT_NEAR(static_cast<double>(scrubbed->bytes->size()), static_cast<double>(original.size()),
                original.size() * 0.05);
  }
}

TEST_F(ScrubTest, RefusesAScrubOverItsMemoryBound_USE3) {
  const std::string mp4 = dir_.File("big.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=160x120:duration=1 -c:v libx264 -preset ultrafast "
             "-metadata location=+48.8583+002.2945/ " +
             mp4));
  std::vector<uint8_t> bytes = ReadFile(mp4);
  MemoryByteSource source(bytes);
  ScrubLimits limits;
  limits.max_bytes = bytes.size() / 2;
  auto scrubbed = ScrubMetadata("mp4", source, limits);
  ASSERT_FALSE(scrubbed.ok());
  EXPECT_EQ(scrubbed.status().code(), Status::Code::kTooLarge);
  EXPECT_EQ(scrubbed.status().reason(), "scrub-too-large");
}

}  // namespace
}  // namespace lethe
