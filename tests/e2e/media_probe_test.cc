// Media processing at ingest, end to end (issue 14; issue 9's media
// details): the probe's duration, size and codecs in the media object
// (USE-2), refusal of video that does not demux, and the per-account
// scrub of location and device metadata (USE-3), done in-house with
// libavformat and libexiv2 rather than by a sub-processor (SHR-3), with
// the removed field names, never their values, in the audit chain.
#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

class MediaProbeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{});
    scratch_ = std::make_unique<ScratchDir>();
  }
  static void TearDownTestSuite() {
    server_.reset();
    scratch_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "probe");
    ASSERT_FALSE(tenant_.token().empty());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  std::string Path(const std::string& name) const { return (*scratch_) / name; }

  // Runs a tool found on PATH; its output, and a test failure unless it
  // exits 0.
  static std::string Tool(std::vector<std::string> argv) {
    argv[0] = ToolPath(argv[0]);
    CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }

  // What ffprobe says about the container and stream tags of `file`.
  static std::string FfprobeTags(const std::string& file) {
    return Tool({"ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", file});
  }

  Response UploadFileBytes(const std::string& file, const std::string& type,
                           const std::string& query = "") {
    return UploadBytes(client_, tenant_.token(), ReadFileBytes(file), type, query);
  }

  // An MP4 as a phone writes it (index last) with a location (©xyz), a
  // date and a stream date (ffmpeg's MP4 muxer has no make or model; the
  // unit tests cover those in MOV); `extra` adds to the ffmpeg command.
  std::string PhoneMp4(const std::string& name, std::vector<std::string> extra = {}) {
    const std::string src = MakeMedia(scratch_->path(), "mp4", 2.0);
    const std::string out = Path(name + ".mp4");
    std::vector<std::string> args = {"-i",
                                     src,
                                     "-map",
                                     "0",
                                     "-c",
                                     "copy",
                                     "-metadata",
                                     "location=+48.8583+002.2945/",
                                     "-metadata",
                                     "creation_time=2024-05-01T10:00:00Z",
                                     "-metadata",
                                     "make=Apple",
                                     "-metadata",
                                     "model=iPhone12",
                                     "-metadata:s:v:0",
                                     "creation_time=2024-05-01T10:00:00Z"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(out);
    EXPECT_TRUE(Ffmpeg(args));
    EXPECT_NE(FfprobeTags(out).find("48.8583"), std::string::npos);
    return out;
  }

  // The stored content of media `id`, written to `file`.
  std::string Download(const std::string& id, const std::string& file) {
    Response r = client_.Get("/v1/media/" + id + "/content", BearerAuth(tenant_.token()));
    EXPECT_EQ(r.status, 200) << r.Describe();
    EXPECT_TRUE(WriteFileBytes(file, r.body));
    return r.body;
  }

  std::string AuditTrail() {
    Response r = client_.Get("/v1/accounts/" + tenant_.account.id + "/audit?limit=1000",
                             BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.body;
  }

  // A photo as a phone takes it: GPS position, make, model, body serial
  // number, orientation 6 (turned), and a thumbnail in EXIF.
  std::string PhoneJpeg(const std::string& name) {
    const std::string jpg = Path(name + ".jpg");
    EXPECT_TRUE(Ffmpeg({"-f", "lavfi", "-i", "testsrc=size=640x480", "-frames:v", "1", jpg}));
    EXPECT_TRUE(Ffmpeg({"-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "1",
                        Path(name + "-thumb.jpg")}));
    Tool({"exiv2", "-q",
          "-M",    "set Exif.Image.Make Apple",
          "-M",    "set Exif.Image.Model iPhone 12",
          "-M",    "set Exif.Image.Orientation 6",
          "-M",    "set Exif.Photo.BodySerialNumber C39XK1",
          "-M",    "set Exif.GPSInfo.GPSLatitudeRef N",
          "-M",    "set Exif.GPSInfo.GPSLatitude 48/1 51/1 2958/100",
          "-M",    "set Exif.GPSInfo.GPSLongitudeRef E",
          "-M",    "set Exif.GPSInfo.GPSLongitude 2/1 17/1 4020/100",
          "mo",    jpg});
    Tool({"exiv2", "-q", "-it", "insert", jpg});
    return jpg;
  }

  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<ScratchDir> scratch_;
  HttpClient client_;
  Tenant tenant_;
};

std::unique_ptr<ServerProcess> MediaProbeTest::server_;
std::unique_ptr<ScratchDir> MediaProbeTest::scratch_;

TEST_F(MediaProbeTest, AnUploadedMp4ReportsDurationSizeAndCodecs_USE2) {
  const std::string mp4 = MakeMedia(scratch_->path(), "mp4", 2.0);
  ASSERT_FALSE(mp4.empty());
  Response up = UploadFileBytes(mp4, "video/mp4");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string id = Str(up.Json(), "id");
  Response got = client_.Get("/v1/media/" + id, BearerAuth(tenant_.token()));
  ASSERT_EQ(got.status, 200) << got.Describe();
  std::vector<json::value> listed = ListAllMedia(client_, tenant_.token());
  ASSERT_EQ(listed.size(), 1u);
  for (const json::value& m : {up.Json(), got.Json(), listed[0]}) {
    const json::object& o = m.as_object();
    EXPECT_NEAR(o.at("duration_ms").to_number<double>(), 2000, 100) << json::serialize(m);
    EXPECT_EQ(o.at("width").to_number<int64_t>(), 160);
    EXPECT_EQ(o.at("height").to_number<int64_t>(), 120);
    EXPECT_EQ(json::serialize(o.at("codecs")), R"(["h264","aac"])");
    EXPECT_EQ(o.at("frame_rate").to_number<double>(), 25.0);
    EXPECT_EQ(o.at("rotation").to_number<int64_t>(), 0);
  }
  // Audio has a duration and no picture size.
  Response ogg = UploadFileBytes(MakeMedia(scratch_->path(), "ogg", 1.5), "audio/ogg");
  ASSERT_EQ(ogg.status, 201) << ogg.Describe();
  EXPECT_NEAR(ogg.Json().at("duration_ms").to_number<double>(), 1500, 100);
  EXPECT_TRUE(ogg.Json().at("width").is_null());
  EXPECT_EQ(json::serialize(ogg.Json().at("codecs")), R"(["vorbis"])");
}

// Video that sniffs as MP4 but does not demux is refused, and nothing of
// it is kept: no record, no blob.
TEST_F(MediaProbeTest, ATruncatedOrCorruptVideoIs415AndStoresNothing_USE2) {
  const std::string mp4 = MakeMedia(scratch_->path(), "mp4", 2.0);
  const std::string whole = ReadFileBytes(mp4);
  const size_t blobs_before = BlobFiles(*server_).size();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"truncated", whole.substr(0, whole.size() / 2)},
      {"corrupt", whole.substr(0, 32) + PatternBytes(200'000, 7)},
      {"moov-only", FtypHeader()},  // its one frame lies past the end
  };
  for (const auto& [what, bytes] : bad) {
    Response r = UploadBytes(client_, tenant_.token(), bytes, "video/mp4");
    LETHE_EXPECT_PROBLEM(r, 415, "undecodable-media") << what;
    EXPECT_NE(r.body.find("media"), std::string::npos) << r.body;
  }
  EXPECT_TRUE(ListAllMedia(client_, tenant_.token()).empty());
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before);
  EXPECT_TRUE(IncomingFiles(*server_).empty());
}

// A PNG whose header claims 100000 x 100000 pixels is refused from the
// header; the server does not try to allocate 40 GB (and stays up).
TEST_F(MediaProbeTest, AnImageWithHugeDeclaredDimensionsIs415_USE2) {
  std::string png = SamplePng();
  for (size_t at : {16u, 20u}) {
    png[at] = 0;
    png[at + 1] = 1;
    png[at + 2] = static_cast<char>(0x86);
    png[at + 3] = static_cast<char>(0xA0);  // 100000
  }
  Response r = UploadBytes(client_, tenant_.token(), png, "image/png");
  LETHE_EXPECT_PROBLEM(r, 415, "media-too-large-dimensions");
  EXPECT_EQ(UploadBytes(client_, tenant_.token(), SamplePng(), "image/png").status, 201);
}

TEST_F(MediaProbeTest, APhoneJpegLosesGpsDeviceAndThumbnailButKeepsOrientation_USE3) {
  Response account = client_.Get("/v1/accounts/" + tenant_.account.id, BearerAuth(tenant_.session));
  ASSERT_EQ(account.status, 200) << account.Describe();
  EXPECT_EQ(account.Json().at("scrub_metadata"), json::value(true)) << "on for new accounts";

  const std::string jpg = PhoneJpeg("phone");
  const std::string before = Tool({"exiv2", "-q", "-pa", jpg});
  ASSERT_NE(before.find("GPSLatitude"), std::string::npos) << before;
  ASSERT_NE(before.find("Exif.Thumbnail"), std::string::npos) << before;

  Response up = UploadFileBytes(jpg, "image/jpeg");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string id = Str(up.Json(), "id");
  const std::string stored = Download(id, Path("stored.jpg"));
  EXPECT_EQ(Str(up.Json(), "sha256"), Sha256Hex(stored)) << "the record describes the stored file";
  EXPECT_EQ(up.Json().at("bytes").to_number<int64_t>(), static_cast<int64_t>(stored.size()));
  const std::string after = Tool({"exiv2", "-q", "-pa", Path("stored.jpg")});
  for (const char* gone : {"GPS", "Apple", "iPhone", "C39XK1", "Exif.Thumbnail", "Make", "Model"}) {
    EXPECT_EQ(after.find(gone), std::string::npos) << gone << " remains:\n" << after;
  }
  EXPECT_NE(after.find("Exif.Image.Orientation"), std::string::npos) << after;
  EXPECT_NE(after.find("right, top"), std::string::npos) << "orientation 6 kept:\n" << after;
  EXPECT_EQ(up.Json().at("width").to_number<int64_t>(), 640);

  // The audit chain names the removed fields, never their values.
  const std::string audit = AuditTrail();
  EXPECT_NE(audit.find("media.scrub"), std::string::npos) << audit;
  for (const char* name :
       {"Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLongitude", "Exif.Image.Make",
        "Exif.Image.Model", "Exif.Photo.BodySerialNumber", "Exif.Thumbnail"}) {
    EXPECT_NE(audit.find(name), std::string::npos) << name << " not in " << audit;
  }
  for (const char* value : {"Apple", "iPhone", "C39XK1", "48/1 51/1"}) {
    EXPECT_EQ(audit.find(value), std::string::npos) << value << " leaked into the audit";
  }
}

TEST_F(MediaProbeTest, AnMp4WithALocationTagLosesItAndKeepsItsStreams_USE3) {
  const std::string tagged = PhoneMp4("located");
  const std::string sent = ReadFileBytes(tagged);

  Response up = UploadFileBytes(tagged, "video/mp4");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string stored = Download(Str(up.Json(), "id"), Path("stored.mp4"));
  EXPECT_EQ(Str(up.Json(), "sha256"), Sha256Hex(stored));
  EXPECT_NE(Sha256Hex(stored), Sha256Hex(sent));
  const std::string tags = FfprobeTags(Path("stored.mp4"));
  for (const char* gone : {"48.8583", "location", "creation_time", "2024", "Lavf"}) {
    EXPECT_EQ(tags.find(gone), std::string::npos) << gone << " remains:\n" << tags;
  }
  // Gone from the bytes, not only from what a parser shows.
  EXPECT_EQ(stored.find("48.8583"), std::string::npos) << "the location is still in the bytes";
  // Scrubbed in place as it streamed in: the same length and streams, the
  // media data untouched.
  EXPECT_EQ(stored.size(), sent.size());
  const std::string streams = Tool({"ffprobe", "-v", "error", "-show_entries",
                                    "stream=codec_name,width,height", Path("stored.mp4")});
  EXPECT_NE(streams.find("codec_name=h264"), std::string::npos) << streams;
  EXPECT_NE(streams.find("codec_name=aac"), std::string::npos) << streams;
  EXPECT_NE(streams.find("width=160"), std::string::npos) << streams;
  EXPECT_NEAR(up.Json().at("duration_ms").to_number<double>(), 2000, 100);
  EXPECT_EQ(Tool({"ffmpeg", "-v", "error", "-i", tagged, "-map", "0", "-c", "copy", "-f",
                  "framemd5", "-"}),
            Tool({"ffmpeg", "-v", "error", "-i", Path("stored.mp4"), "-map", "0", "-c", "copy",
                  "-f", "framemd5", "-"}))
      << "every packet is as it was";

  const std::string audit = AuditTrail();
  for (const char* name : {"location", "creation_time", "stream.creation_time", "encoder"}) {
    EXPECT_NE(audit.find(name), std::string::npos) << name << " not in " << audit;
  }
  EXPECT_EQ(audit.find("48.8583"), std::string::npos) << "a value leaked into the audit";
}

// A track the in-place scrub cannot reach (a data track, as a per-frame
// location track is) makes the server remux the file without it.
TEST_F(MediaProbeTest, AnMp4WithADataTrackIsRemuxedWithoutIt_USE3) {
  const std::string tagged = PhoneMp4("tracked", {"-timecode", "00:00:00:00"});
  const std::string before =
      Tool({"ffprobe", "-v", "error", "-show_entries", "stream=codec_type", tagged});
  ASSERT_NE(before.find("codec_type=data"), std::string::npos) << before;

  Response up = UploadFileBytes(tagged, "video/mp4");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string stored = Download(Str(up.Json(), "id"), Path("untracked.mp4"));
  EXPECT_EQ(Str(up.Json(), "sha256"), Sha256Hex(stored));
  const std::string after = Tool({"ffprobe", "-v", "error", "-show_entries",
                                  "stream=codec_type,codec_name", Path("untracked.mp4")});
  EXPECT_EQ(after.find("codec_type=data"), std::string::npos) << after;
  EXPECT_NE(after.find("codec_name=h264"), std::string::npos) << after;
  EXPECT_NE(after.find("codec_name=aac"), std::string::npos) << after;
  EXPECT_EQ(stored.find("48.8583"), std::string::npos);
  const std::string audit = AuditTrail();
  EXPECT_NE(audit.find("data_track"), std::string::npos) << audit;
  EXPECT_NE(audit.find("location"), std::string::npos) << audit;
}

// Scrubbing is processing: under a restriction the file is stored exactly
// as sent, though it was blanked on its way in, and the audit says why.
TEST_F(MediaProbeTest, ARestrictedEndUsersMp4IsStoredExactlyAsSent_USE3_RGT1) {
  RestrictEndUser(client_, tenant_, "held-user");
  ASSERT_FALSE(HasFailure());
  const std::string tagged = PhoneMp4("held");
  Response up = UploadFileBytes(tagged, "video/mp4", "end_user=held-user");
  ASSERT_EQ(up.status, 201) << up.Describe();
  // The restriction stops serving it too, so the record, whose sha256 is
  // taken of the stored bytes, says what is stored: the file as sent.
  const std::string sent = ReadFileBytes(tagged);
  EXPECT_EQ(Str(up.Json(), "sha256"), Sha256Hex(sent));
  EXPECT_EQ(up.Json().at("bytes").to_number<int64_t>(), static_cast<int64_t>(sent.size()));
  EXPECT_NEAR(up.Json().at("duration_ms").to_number<double>(), 2000, 100);
  const std::string audit = AuditTrail();
  EXPECT_NE(audit.find("media.scrub_withheld"), std::string::npos) << audit;
  EXPECT_NE(audit.find("processing-restricted"), std::string::npos) << audit;

  // Another end user's upload in the same account is still scrubbed.
  Response free = UploadFileBytes(tagged, "video/mp4", "end_user=free-user");
  ASSERT_EQ(free.status, 201) << free.Describe();
  EXPECT_EQ(Download(Str(free.Json(), "id"), Path("free-stored.mp4")).find("48.8583"),
            std::string::npos);
}

// Off (PATCH scrub_metadata false): the bytes are stored as given.
TEST_F(MediaProbeTest, WithScrubbingOffTheFileIsStoredAsGiven_USE3) {
  const std::string path = "/v1/accounts/" + tenant_.account.id;
  LETHE_EXPECT_PROBLEM(
      client_.Patch(path, json::object{{"scrub_metadata", "no"}}, BearerAuth(tenant_.session)), 400,
      "invalid-field");
  Response off =
      client_.Patch(path, json::object{{"scrub_metadata", false}}, BearerAuth(tenant_.session));
  ASSERT_EQ(off.status, 200) << off.Describe();
  EXPECT_EQ(off.Json().at("scrub_metadata"), json::value(false));
  EXPECT_NE(AuditTrail().find("account.scrub_off"), std::string::npos);

  const std::string jpg = PhoneJpeg("kept");
  Response up = UploadFileBytes(jpg, "image/jpeg");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const std::string stored = Download(Str(up.Json(), "id"), Path("kept-stored.jpg"));
  EXPECT_EQ(Sha256Hex(stored), Sha256Hex(ReadFileBytes(jpg)));
  EXPECT_NE(Tool({"exiv2", "-q", "-pa", Path("kept-stored.jpg")}).find("GPSLatitude"),
            std::string::npos);
}

}  // namespace
}  // namespace lethe::e2e
