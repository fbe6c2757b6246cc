// Posters and on-premises transcripts (issue 14; SHR-3, USE-3, RGT-1,
// USE-5) against a real server, on media ffmpeg and espeak-ng make here:
// the poster is a WebP frame at 10 % of a video (or a preview of an
// image), no wider than 640 px, sealed at rest, readable through the
// media's signed link and gone with the media; a transcript is made only
// when the account and the end user opted in and no restriction stands;
// damaged media fails cleanly while the next upload still gets its poster.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

class MediaArtifactsTest : public TenantServerTest {
 protected:
  void SetUp() override { Start({}, "derived"); }
  // The media's `kind` artifact once it is no longer pending: its state.
  std::string Settled(const std::string& media, const std::string& kind) {
    std::string state;
    EXPECT_TRUE(WaitFor(
        [&] {
          Response r = client_.Get("/v1/media/" + media, Auth());
          boost::json::value body = r.status == 200 ? r.Json() : boost::json::value();
          const boost::json::value* a = r.status == 200 ? Field(body, kind) : nullptr;
          state = (a != nullptr && a->is_object()) ? Str(*a, "state") : "";
          return !state.empty() && state != "pending";
        },
        std::chrono::seconds(90)))
        << kind << " of " << media << " still " << state;
    return state;
  }
  std::string Reason(const std::string& media, const std::string& kind) {
    Response r = client_.Get("/v1/media/" + media, Auth());
    return Str(*Field(r.Json(), kind), "reason");
  }
  // width, height and codec of an image file, by ffprobe.
  std::string Probe(const std::string& path) {
    CommandResult r =
        RunCommand({ToolPath("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries",
                    "stream=codec_name,width,height", "-of", "csv=p=0", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::string out = r.output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  std::vector<std::string> ArtifactBlobs(const std::string& kind) {
    return ArtifactBlobFiles(*server_, kind);
  }
  Response Consent(const std::string& end_user) {
    return client_.Post(
        "/v1/consents",
        boost::json::value(boost::json::object{
            {"purpose", "transcription"}, {"decision", "opt_in"}, {"end_user", end_user}}),
        Auth());
  }
  void EnableTranscription() {
    Response r =
        client_.Request("PUT", "/v1/media-processing", R"({"transcription":true})", Auth());
    ASSERT_EQ(r.status, 200) << r.Describe();
  }
};

// A 10 s 1280x720 video: red for 0.5 s, blue until 2 s, green after. The
// frame at 10 % (1 s) is blue.
std::string ColourVideo(const ScratchDir& dir) {
  std::string out = dir / "colours.mp4";
  bool ok = Ffmpeg({"-f",
                    "lavfi",
                    "-i",
                    "color=c=red:s=1280x720:r=25:d=0.5",
                    "-f",
                    "lavfi",
                    "-i",
                    "color=c=blue:s=1280x720:r=25:d=1.5",
                    "-f",
                    "lavfi",
                    "-i",
                    "color=c=green:s=1280x720:r=25:d=8",
                    "-filter_complex",
                    "[0:v][1:v][2:v]concat=n=3:v=1[v]",
                    "-map",
                    "[v]",
                    "-c:v",
                    "libx264",
                    "-pix_fmt",
                    "yuv420p",
                    "-g",
                    "25",
                    out});
  return ok ? out : "";
}

// The average colour of an image file, as r, g, b.
std::array<int, 3> AverageColour(const ScratchDir& dir, const std::string& image) {
  std::string raw = dir / "pixel.rgb";
  EXPECT_TRUE(
      Ffmpeg({"-i", image, "-vf", "scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", raw}));
  std::string px = ReadFileBytes(raw);
  if (px.size() < 3) return {0, 0, 0};
  return {static_cast<uint8_t>(px[0]), static_cast<uint8_t>(px[1]), static_cast<uint8_t>(px[2])};
}

TEST_F(MediaArtifactsTest, VideoPosterIsTheWebpFrameAtTenPercentSealedAndSignedLinked_SHR3) {
  std::string video = ColourVideo(dir_);
  ASSERT_FALSE(video.empty());
  std::string id = Upload(video, "video/mp4");
  // Not ready yet, or ready: never a poster of the wrong kind.
  ASSERT_EQ(Settled(id, "poster"), "ready") << Reason(id, "poster");
  Response media = client_.Get("/v1/media/" + id, Auth());
  EXPECT_EQ(Str(*Field(media.Json(), "processing"), "state"), "done");
  EXPECT_TRUE(Field(media.Json(), "transcript")->is_null()) << "transcription is opt-in";

  Response poster = client_.Get("/v1/media/" + id + "/poster", Auth());
  ASSERT_EQ(poster.status, 200) << poster.Describe();
  EXPECT_EQ(poster.Header("content-type"), "image/webp");
  ASSERT_TRUE(WriteFileBytes(dir_ / "poster.webp", poster.body));
  EXPECT_EQ(Probe(dir_ / "poster.webp"), "webp,640,360");
  std::array<int, 3> c = AverageColour(dir_, dir_ / "poster.webp");
  EXPECT_GT(c[2], 150) << "not the blue frame at 1 s: " << c[0] << "," << c[1] << "," << c[2];
  EXPECT_LT(c[0], 80);
  EXPECT_LT(c[1], 80);

  // At rest: one sealed blob, without the WebP bytes in clear.
  std::vector<std::string> blobs = ArtifactBlobs("poster");
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_EQ(FileSize(blobs[0]), static_cast<int64_t>(ExpectedSealedSize(poster.body.size())));
  EXPECT_EQ(ReadFileBytes(blobs[0]).find("WEBPVP8"), std::string::npos);

  // The media's signed link covers its poster, with no credential.
  Response link = client_.Post("/v1/media/" + id + "/links", "", Auth());
  ASSERT_EQ(link.status, 201) << link.Describe();
  std::string url = Str(link.Json(), "url");
  url.replace(url.find("/content?"), 9, "/poster?");
  HttpClient anonymous(server_->base_url());
  Response linked = anonymous.Get(url);
  ASSERT_EQ(linked.status, 200) << linked.Describe();
  EXPECT_EQ(linked.body, poster.body);
  // The signature names the media: another media's poster is not covered.
  std::string other = Upload(MakeMedia(dir_.path(), "png"), "image/png");
  std::string forged = url;
  forged.replace(forged.find(id), id.size(), other);
  EXPECT_EQ(anonymous.Get(forged).status, 401);

  // Deleted with the media: the route, the row and the blob.
  ASSERT_EQ(client_.Delete("/v1/media/" + id, Auth()).status, 202);
  EXPECT_NE(client_.Get("/v1/media/" + id + "/poster", Auth()).status, 200);
  EXPECT_NE(anonymous.Get(url).status, 200);
  EXPECT_TRUE(WaitFor([&] { return ArtifactBlobs("poster").size() == 1; }))  // the PNG's
      << ArtifactBlobs("poster").size();
  EXPECT_TRUE(WaitFor([&] {
    auto rows = Sql(server_->db_path(),
                    "SELECT COUNT(*) FROM media_artifacts WHERE media_id = '" + id + "'");
    return rows.ok && rows.rows.at(0).at(0).value_or("") == "0";
  }));
}

TEST_F(MediaArtifactsTest, ImagePreviewIsAWebpAtMost640Wide) {
  std::string png = dir_ / "wide.png";
  ASSERT_TRUE(Ffmpeg({"-f", "lavfi", "-i", "testsrc=size=1000x500", "-frames:v", "1", png}));
  std::string id = Upload(png, "image/png");
  ASSERT_EQ(Settled(id, "poster"), "ready") << Reason(id, "poster");
  Response poster = client_.Get("/v1/media/" + id + "/poster", Auth());
  ASSERT_EQ(poster.status, 200);
  ASSERT_TRUE(WriteFileBytes(dir_ / "preview.webp", poster.body));
  EXPECT_EQ(Probe(dir_ / "preview.webp"), "webp,640,320");
  // Audio has no poster, and says so.
  std::string audio = Upload(MakeMedia(dir_.path(), "wav"), "audio/wav");
  Response media = client_.Get("/v1/media/" + audio, Auth());
  EXPECT_TRUE(Field(media.Json(), "poster")->is_null());
  EXPECT_EQ(Str(*Field(media.Json(), "processing"), "state"), "none");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + audio + "/poster", Auth()), 404, "not-found");
}

TEST_F(MediaArtifactsTest, AnotherTenantSeesNoPosterOrTranscript) {
  std::string id = Upload(MakeMedia(dir_.path(), "png"), "image/png");
  ASSERT_EQ(Settled(id, "poster"), "ready");
  Tenant other = NewTenant(client_, "other");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + id + "/poster", BearerAuth(other.token())), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + id + "/transcript", BearerAuth(other.token())),
                       404, "not-found");
  EXPECT_EQ(client_.Get("/v1/media/" + id + "/poster").status, 401);
}

// A PNG header claiming 60000 x 60000 pixels, with no picture data.
std::string HugePng() {
  auto crc32 = [](const std::string& s) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : s) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
  };
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    return be32(static_cast<uint32_t>(data.size())) + type + data + be32(crc32(type + data));
  };
  std::string ihdr = be32(60000) + be32(60000) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IEND", "");
}

TEST_F(MediaArtifactsTest, DamagedMediaFailsCleanlyAndTheNextUploadStillGetsItsPoster) {
  // Files the ingest probe refuses never reach the worker: a truncated MP4
  // (its index is gone) and a PNG declaring 60000 x 60000 pixels.
  std::string mp4 = ReadFileBytes(MakeMedia(dir_.path(), "mp4", 2.0));
  ASSERT_GT(mp4.size(), 4096u);
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, tenant_.token(), mp4.substr(0, 2048), "video/mp4"), 415,
                       "undecodable-media");
  LETHE_EXPECT_PROBLEM(UploadBytes(client_, tenant_.token(), HugePng(), "image/png"), 415,
                       "media-too-large-dimensions");
  // An MP4 whose index is whole but whose frame is noise demuxes, so it is
  // stored; the worker cannot decode it and the poster fails.
  std::string noise = PatternBytes(64 * 1024, 3, FtypHeader());
  std::string noise_path = dir_ / "noise.mp4";
  ASSERT_TRUE(WriteFileBytes(noise_path, noise));
  std::string broken = Upload(noise_path, "video/mp4");
  std::string fine = Upload(MakeMedia(dir_.path(), "jpeg"), "image/jpeg");
  EXPECT_EQ(Settled(broken, "poster"), "failed");
  EXPECT_EQ(Reason(broken, "poster"), "media-undecodable");
  EXPECT_EQ(Settled(fine, "poster"), "ready") << Reason(fine, "poster");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + broken + "/poster", Auth()), 404, "not-found");
  // The server is unharmed, and the content itself is served as stored.
  EXPECT_EQ(client_.Get("/v1/media/" + broken + "/content", Auth()).body, noise);
  EXPECT_EQ(client_.Get("/v1/media/" + fine + "/poster", Auth()).status, 200);
}

// Speech made with espeak-ng.
std::string Speech(const ScratchDir& dir, const std::string& words) {
  std::string wav = dir / "speech.wav";
  // The voice and pace pocketsphinx's US English model hears best.
  CommandResult r =
      RunCommand({ToolPath("espeak-ng"), "-v", "en-us+m1", "-s", "120", "-w", wav, words});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return wav;
}

TEST_F(MediaArtifactsTest, TranscriptIsMadeOnPremisesWithOptInsAndServedAsVttAndJson_SHR3_USE3) {
  std::string wav = Speech(dir_, "hello world. one two three.");
  // Off by default: nothing is transcribed.
  Response settings = client_.Get("/v1/media-processing", Auth());
  ASSERT_EQ(settings.status, 200);
  EXPECT_FALSE(Field(settings.Json(), "transcription")->as_bool());
  std::string before = Upload(wav, "audio/wav");
  EnableTranscription();
  ASSERT_EQ(Consent("eu-speaker").status, 201);
  std::string id = Upload(wav, "audio/wav", "end_user=eu-speaker");
  ASSERT_EQ(Settled(id, "transcript"), "ready") << Reason(id, "transcript");
  Response media = client_.Get("/v1/media/" + id, Auth());
  const boost::json::value media_json = media.Json();
  const boost::json::value& t = *Field(media_json, "transcript");
  EXPECT_EQ(Str(t, "engine"), "pocketsphinx");
  EXPECT_TRUE(Field(t, "on_premises")->as_bool());
  EXPECT_TRUE(Field(client_.Get("/v1/media/" + before, Auth()).Json(), "transcript")->is_null());

  Response json = client_.Get("/v1/media/" + id + "/transcript", Auth());
  ASSERT_EQ(json.status, 200) << json.Describe();
  std::string text = Str(json.Json(), "text");
  int heard = 0;
  for (const char* w : {"hello", "world", "one", "two", "three"}) {
    if (text.find(w) != std::string::npos) ++heard;
  }
  // A small model on a synthetic voice: most of the words, not all.
  EXPECT_GE(heard, 3) << "heard: " << text;
  EXPECT_GE(Arr(json.Json(), "words").size(), 3u) << json.body;
  Headers vtt_accept = Auth();
  vtt_accept["Accept"] = "text/vtt";
  Response vtt = client_.Get("/v1/media/" + id + "/transcript", vtt_accept);
  ASSERT_EQ(vtt.status, 200);
  EXPECT_EQ(vtt.Header("content-type").rfind("text/vtt", 0), 0u);
  EXPECT_EQ(vtt.body.rfind("WEBVTT\n\n00:00:", 0), 0u) << vtt.body;
  EXPECT_NE(vtt.body.find(" --> "), std::string::npos);
  // Sealed at rest, and covered by the media's signed link.
  std::vector<std::string> blobs = ArtifactBlobs("transcript");
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_EQ(ReadFileBytes(blobs[0]).find("pocketsphinx"), std::string::npos);
  Response link = client_.Post("/v1/media/" + id + "/links", "", Auth());
  std::string url = Str(link.Json(), "url");
  url.replace(url.find("/content?"), 9, "/transcript?");
  Response linked = HttpClient(server_->base_url()).Get(url + "&format=vtt");
  EXPECT_EQ(linked.status, 200);
  EXPECT_EQ(linked.body, vtt.body);

  // USE-5: erasing the end user takes the transcript with the media.
  Response erased = client_.Delete("/v1/end-users/eu-speaker", Auth());
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  EXPECT_NE(client_.Get("/v1/media/" + id + "/transcript", Auth()).status, 200);
  EXPECT_TRUE(WaitFor([&] { return ArtifactBlobs("transcript").empty(); }));
}

TEST_F(MediaArtifactsTest, NoTranscriptWithoutConsentOrUnderARestriction_USE3_RGT1) {
  EnableTranscription();
  std::string wav = MakeMedia(dir_.path(), "wav");
  // No opt-in from the end user: refused before any decoding.
  std::string silent = Upload(wav, "audio/wav", "end_user=eu-quiet");
  EXPECT_EQ(Settled(silent, "transcript"), "refused");
  EXPECT_EQ(Reason(silent, "transcript"), "consent-required");
  // Opted in, but restricted (GDPR Art. 18): refused too, and nothing served.
  ASSERT_EQ(Consent("eu-held").status, 201);
  RestrictEndUser(client_, tenant_, "eu-held");
  ASSERT_FALSE(HasFailure());
  std::string held = Upload(MakeMedia(dir_.path(), "mp4", 1.0), "video/mp4", "end_user=eu-held");
  EXPECT_EQ(Settled(held, "transcript"), "refused");
  EXPECT_EQ(Reason(held, "transcript"), "processing-restricted");
  EXPECT_EQ(Settled(held, "poster"), "refused");
  EXPECT_TRUE(ArtifactBlobs("transcript").empty());
  EXPECT_TRUE(ArtifactBlobs("poster").empty());
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + held + "/poster", Auth()), 403,
                       "processing-restricted");
}

// Bad input at length (issue 14): a 10-hour silent recording gets no
// transcript and no worker (its probed duration is over
// --media-max-minutes); a minute and a half of speech, which would cost
// tens of seconds of CPU (more than 30 s under ASan), is stopped by the
// worker's CPU limit; each ends `failed` with processing-limit, leaves no
// blob, and a video uploaded meanwhile still gets its poster. (The memory
// limit is not applied under AddressSanitizer, whose shadow memory needs
// the address space. Silence and noise cannot stand in for the speech:
// pocketsphinx's voice activity detection passes over them in seconds.)
TEST_F(MediaArtifactsTest, HoursOfSilenceFailWithinTheLimitsWithoutStallingOtherJobs_USE3) {
  Start({"--media-worker-cpu-seconds", "4", "--media-max-minutes", "60"}, "long");
  ASSERT_FALSE(HasFailure());
  EnableTranscription();
  ASSERT_EQ(Consent("listener").status, 201);
  auto silence = [&](const std::string& name, int seconds) {
    const std::string path = dir_.path() + "/" + name + ".flac";
    EXPECT_TRUE(Ffmpeg({"-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono:nb_samples=16384", "-t",
                        std::to_string(seconds), "-c:a", "flac", "-frame_size", "16384",
                        "-compression_level", "0", path}));
    return path;
  };
  const std::string ten_hour_file = silence("ten-hours", 36000);
  std::string words;
  for (int i = 0; i < 12; ++i) {
    words += "the quick brown fox jumps over the lazy dog. media stays on the premises. ";
  }
  const std::string speech_file = Speech(dir_, words);  // about 94 s
  auto start = std::chrono::steady_clock::now();
  std::string ten_hours = Upload(ten_hour_file, "audio/flac", "end_user=listener");
  Response m = client_.Get("/v1/media/" + ten_hours, Auth());
  EXPECT_EQ(m.Json().at("duration_ms").to_number<int64_t>(), 36000000);
  EXPECT_EQ(Settled(ten_hours, "transcript"), "failed");
  EXPECT_EQ(Reason(ten_hours, "transcript"), "processing-limit");
  // Decided from the probed duration: a worker would have needed its four
  // seconds of CPU before being stopped.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));

  // Under the duration bound, far over four seconds of CPU.
  start = std::chrono::steady_clock::now();
  std::string long_one = Upload(speech_file, "audio/wav", "end_user=listener");
  // A viewer who did not opt in: a poster, and no transcript (so that any
  // transcript blob below could only be a failed job's leftover).
  std::string video = Upload(MakeMedia(dir_.path(), "mp4", 1.0), "video/mp4", "end_user=viewer");
  EXPECT_EQ(Settled(video, "poster"), "ready") << Reason(video, "poster");
  EXPECT_EQ(Settled(long_one, "transcript"), "failed");
  EXPECT_EQ(Reason(long_one, "transcript"), "processing-limit");
  EXPECT_EQ(Settled(video, "transcript"), "refused");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_TRUE(ArtifactBlobs("transcript").empty());
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + ten_hours + "/transcript", Auth()), 404,
                       "not-found");
}

}  // namespace
}  // namespace lethe::e2e
