// Web renditions (issue 14; SHR-3, USE-3, USE-5) against a real server, on
// media ffmpeg makes here: an upload that asks for it (or an account that
// turned it on) gets an H.264/AAC MP4 with its index first, made by a
// `lethe worker web` process, its progress in the media object, sealed at
// rest under the media's key, served by the content route with ranges and
// signed links, and announced to webhooks. Damaged media fails cleanly
// while another upload's rendition completes; erasing the end user makes
// the rendition unreadable.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"
#include "media/media_tools_test.h"
#include "media_support.h"
#include "webhook_receiver.h"

namespace lethe::e2e {
namespace {

using testing_media::BoxIndex;
using testing_media::TopBoxes;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class WebRenditionTest : public TenantServerTest {
 protected:
  void Start(std::vector<std::string> args = {}) {
    TenantServerTest::Start(std::move(args), "web");
  }
  boost::json::value Media(const std::string& id) {
    Response r = client_.Get("/v1/media/" + id, Auth());
    EXPECT_EQ(r.status, 200) << r.Describe();
    return r.status == 200 ? r.Json() : boost::json::value();
  }
  // The rendition's state once it is no longer pending ("none" when the
  // media gets none); every progress the media object showed on the way
  // in `seen`.
  std::string Settled(const std::string& id, std::vector<double>* seen = nullptr) {
    std::string state;
    EXPECT_TRUE(WaitFor(
        [&] {
          boost::json::value m = Media(id);
          const boost::json::value* w = m.is_object() ? Field(m, "web_rendition") : nullptr;
          state = w == nullptr ? "" : w->is_object() ? Str(*w, "state") : "none";
          if (seen != nullptr && state == "pending") {
            seen->push_back(Field(*w, "progress")->to_number<double>());
            // The whole: a pending rendition holds the media's processing back.
            EXPECT_EQ(Str(*Field(m, "processing"), "state"), "pending");
            EXPECT_LT(Field(*Field(m, "processing"), "progress")->to_number<double>(), 1.0);
          }
          return !state.empty() && state != "pending";
        },
        std::chrono::seconds(120)))
        << "the rendition of " << id << " is still " << state;
    return state;
  }
  // ffprobe's "codec_type:codec_name" per stream, and the duration.
  std::string Streams(const std::string& path) {
    CommandResult r = RunCommand({ToolPath("ffprobe"), "-v", "error", "-show_entries",
                                  "stream=codec_type,codec_name", "-of", "csv=p=0", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return Trimmed(r.output);
  }
  double Duration(const std::string& path) {
    CommandResult r = RunCommand({ToolPath("ffprobe"), "-v", "error", "-show_entries",
                                  "format=duration", "-of", "csv=p=0", path});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return std::atof(r.output.c_str());
  }
  // GET with the curl binary: the status, headers in `headers`, body to `out`.
  int Curl(const std::string& path, const std::string& out, std::string* headers,
           const std::string& range = "") {
    std::string dump = out + ".headers";
    std::vector<std::string> argv = {ToolPath("curl"),
                                     "-sS",
                                     "-o",
                                     out,
                                     "-D",
                                     dump,
                                     "-w",
                                     "%{http_code}",
                                     "-H",
                                     "Authorization: " + BearerHeader(tenant_.token())};
    if (!range.empty()) argv.insert(argv.end(), {"-r", range});
    argv.push_back(server_->base_url() + path);
    CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    if (headers != nullptr) *headers = ReadFileBytes(dump);
    return std::atoi(r.output.c_str());
  }
  Response RegisterHook(const std::string& url) {
    return client_.Post("/v1/accounts/" + tenant_.account.id + "/webhooks",
                        boost::json::value(boost::json::object{
                            {"url", url}, {"events", boost::json::array{"media.rendition_ready"}}}),
                        BearerAuth(tenant_.session));
  }
};

// MPEG-4 part 2 video and MP3 audio in Matroska: neither the codec nor the
// container plays in every browser.
std::string MkvClip(const ScratchDir& dir, int seconds, const std::string& size) {
  std::string out = dir / ("clip-" + std::to_string(seconds) + ".mkv");
  bool ok = Ffmpeg({"-f", "lavfi", "-i",
                    "testsrc=size=" + size + ":rate=25:duration=" + std::to_string(seconds), "-f",
                    "lavfi", "-i", "sine=frequency=440:duration=" + std::to_string(seconds), "-c:v",
                    "mpeg4", "-q:v", "4", "-c:a", "libmp3lame", "-shortest", out});
  return ok ? out : "";
}

TEST_F(WebRenditionTest, AnUploadAsksForAFaststartH264AacMp4ServedWithRangesAndAnnounced_SHR3) {
  Start();
  WebhookReceiver receiver;
  Response hook = RegisterHook(receiver.url());
  ASSERT_EQ(hook.status, 201) << hook.Describe();
  const std::string mkv = MkvClip(dir_, 16, "640x360");
  ASSERT_FALSE(mkv.empty());
  const std::string id = Upload(mkv, "video/x-matroska", "web_rendition=true&end_user=eu-web");
  ASSERT_FALSE(id.empty());
  std::vector<double> seen;
  ASSERT_EQ(Settled(id, &seen), "ready") << Str(*Field(Media(id), "web_rendition"), "reason");
  // The worker's progress reached the media object while it worked.
  EXPECT_TRUE(std::any_of(seen.begin(), seen.end(), [](double p) { return p > 0 && p < 1; }))
      << seen.size() << " polls saw no progress between 0 and 1";
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  boost::json::value m = Media(id);
  const boost::json::value& web = *Field(m, "web_rendition");
  EXPECT_EQ(Field(web, "progress")->to_number<double>(), 1.0);
  EXPECT_EQ(Str(web, "content_type"), "video/mp4");
  EXPECT_TRUE(Field(web, "on_premises")->as_bool());
  const int64_t bytes = Field(web, "bytes")->to_number<int64_t>();
  EXPECT_GT(bytes, 10000);
  EXPECT_EQ(Str(*Field(m, "processing"), "state"), "done");

  // Downloaded with curl: H.264 and AAC, as long as the source, index first.
  const std::string mp4 = dir_ / "web.mp4";
  std::string headers;
  ASSERT_EQ(Curl("/v1/media/" + id + "/content?rendition=web", mp4, &headers), 200) << headers;
  EXPECT_NE(headers.find("Content-Type: video/mp4"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Accept-Ranges: bytes"), std::string::npos) << headers;
  EXPECT_EQ(FileSize(mp4), bytes);
  EXPECT_EQ(Streams(mp4), "h264,video\naac,audio");
  EXPECT_NEAR(Duration(mp4), Duration(mkv), 0.2);
  const std::string body = ReadFileBytes(mp4);
  std::vector<std::string> boxes = TopBoxes(body);
  ASSERT_LT(BoxIndex(boxes, "mdat"), boxes.size());
  EXPECT_LT(BoxIndex(boxes, "moov"), BoxIndex(boxes, "mdat")) << "faststart: moov before mdat";
  // A range of it, as players ask.
  const std::string part = dir_ / "part.bin";
  ASSERT_EQ(Curl("/v1/media/" + id + "/content?rendition=web", part, &headers, "1000-70999"), 206);
  EXPECT_NE(headers.find("Content-Range: bytes 1000-70999/" + std::to_string(bytes)),
            std::string::npos)
      << headers;
  EXPECT_EQ(ReadFileBytes(part), body.substr(1000, 70000));
  // The original is still served as uploaded.
  EXPECT_EQ(client_.Get("/v1/media/" + id + "/content", Auth()).body, ReadFileBytes(mkv));
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + id + "/content?rendition=hls", Auth()), 400,
                       "unknown-rendition");

  // The media's signed link covers its rendition, with no credential.
  Response link = client_.Post("/v1/media/" + id + "/links", "", Auth());
  ASSERT_EQ(link.status, 201) << link.Describe();
  HttpClient anonymous(server_->base_url());
  Response linked = anonymous.Get(Str(link.Json(), "url") + "&rendition=web");
  ASSERT_EQ(linked.status, 200) << linked.Describe();
  EXPECT_EQ(linked.body, body);

  // Sealed at rest: one blob, of the sealed size, without the MP4's boxes.
  std::vector<std::string> blobs = ArtifactBlobFiles(*server_, "web");
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_EQ(FileSize(blobs[0]), static_cast<int64_t>(ExpectedSealedSize(bytes)));
  EXPECT_EQ(ReadFileBytes(blobs[0]).find("ftypisom"), std::string::npos);

  // Announced to the webhook, ids only.
  ASSERT_TRUE(WaitFor([&] { return receiver.count() >= 1; }, std::chrono::seconds(30)));
  boost::json::value event = boost::json::parse(receiver.received()[0].body);
  EXPECT_EQ(Str(event, "type"), "media.rendition_ready");
  EXPECT_EQ(Str(*Field(event, "data"), "media_id"), id);
  EXPECT_EQ(receiver.received()[0].body.find("h264"), std::string::npos);

  // Deleted with the media: the route and the blob.
  ASSERT_EQ(client_.Delete("/v1/media/" + id, Auth()).status, 202);
  EXPECT_NE(client_.Get("/v1/media/" + id + "/content?rendition=web", Auth()).status, 200);
  EXPECT_TRUE(WaitFor([&] { return ArtifactBlobFiles(*server_, "web").empty(); }));
}

TEST_F(WebRenditionTest, TheAccountSettingRendersVideoAndAudioButNotImages_USE3) {
  Start();
  Response settings = client_.Get("/v1/media-processing", Auth());
  ASSERT_EQ(settings.status, 200);
  EXPECT_FALSE(Field(settings.Json(), "web_rendition")->as_bool()) << "off by default";
  const std::string webm = MakeMedia(dir_.path(), "webm", 3.0);
  const std::string before = Upload(webm, "video/webm");
  EXPECT_TRUE(Field(Media(before), "web_rendition")->is_null());
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + before + "/content?rendition=web", Auth()), 404,
                       "not-found");

  Response on = client_.Request("PUT", "/v1/media-processing", R"({"web_rendition":true})", Auth());
  ASSERT_EQ(on.status, 200) << on.Describe();
  EXPECT_TRUE(Field(on.Json(), "web_rendition")->as_bool());
  EXPECT_FALSE(Field(on.Json(), "transcription")->as_bool()) << "the other setting stays";
  const std::string video = Upload(webm, "video/webm");
  const std::string audio = Upload(MakeMedia(dir_.path(), "mp3", 2.0), "audio/mpeg");
  const std::string image = Upload(MakeMedia(dir_.path(), "png"), "image/png");
  ASSERT_EQ(Settled(video), "ready");
  ASSERT_EQ(Settled(audio), "ready");
  EXPECT_TRUE(Field(Media(image), "web_rendition")->is_null()) << "images are not transcoded";

  const std::string v = dir_ / "v.mp4", a = dir_ / "a.m4a";
  std::string headers;
  ASSERT_EQ(Curl("/v1/media/" + video + "/content?rendition=web", v, &headers), 200);
  EXPECT_EQ(Streams(v), "h264,video\naac,audio");
  EXPECT_NEAR(Duration(v), Duration(webm), 0.2);
  ASSERT_EQ(Curl("/v1/media/" + audio + "/content?rendition=web", a, &headers), 200);
  EXPECT_NE(headers.find("Content-Type: audio/mp4"), std::string::npos) << headers;
  EXPECT_EQ(Streams(a), "aac,audio") << "audio alone gives an AAC-only MP4";
  EXPECT_EQ(Str(*Field(Media(audio), "web_rendition"), "content_type"), "audio/mp4");

  // Turned off again: new uploads get none.
  Response off =
      client_.Request("PUT", "/v1/media-processing", R"({"web_rendition":false})", Auth());
  ASSERT_EQ(off.status, 200);
  EXPECT_TRUE(Field(Media(Upload(webm, "video/webm")), "web_rendition")->is_null());
  LETHE_EXPECT_PROBLEM(
      client_.Request("PUT", "/v1/media-processing", R"({"web_rendition":"yes"})", Auth()), 400,
      "invalid-field");
}

TEST_F(WebRenditionTest, PendingWhileNoWorkerRunsAndTheOptionIsChecked) {
  Start({"--media-workers", "0"});
  const std::string id =
      Upload(MakeMedia(dir_.path(), "webm", 1.0), "video/webm", "web_rendition=true");
  boost::json::value m = Media(id);
  EXPECT_EQ(Str(*Field(m, "web_rendition"), "state"), "pending");
  EXPECT_EQ(Field(*Field(m, "web_rendition"), "progress")->to_number<double>(), 0.0);
  EXPECT_TRUE(Field(*Field(m, "web_rendition"), "bytes")->is_null());
  EXPECT_EQ(Str(*Field(m, "processing"), "state"), "pending");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + id + "/content?rendition=web", Auth()), 404,
                       "artifact-pending");
  LETHE_EXPECT_PROBLEM(
      UploadBytes(client_, tenant_.token(), SamplePng(), "image/png", "web_rendition=maybe"), 400,
      "invalid-field");
}

TEST_F(WebRenditionTest, DamagedMediaFailsCleanlyAndATusUploadsRenditionStillCompletes) {
  Start();
  // An MP4 whose index is whole but whose frame is noise is stored; the
  // worker cannot decode it.
  const std::string noise_path = dir_ / "noise.mp4";
  ASSERT_TRUE(WriteFileBytes(noise_path, PatternBytes(64 * 1024, 3, FtypHeader())));
  const std::string broken = Upload(noise_path, "video/mp4", "web_rendition=true");
  // The other comes over tus, asking in its metadata (base64 "true").
  const std::string webm = ReadFileBytes(MakeMedia(dir_.path(), "webm", 2.0));
  Headers tus = Auth();
  tus["Tus-Resumable"] = "1.0.0";
  tus["Upload-Length"] = std::to_string(webm.size());
  tus["Content-Type"] = "application/offset+octet-stream";
  tus["Upload-Metadata"] = "filetype dmlkZW8vd2VibQ==,web_rendition dHJ1ZQ==";
  Response created = client_.Request("POST", "/v1/uploads", webm, tus);
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string fine = created.Header("Lethe-Media-Id");
  ASSERT_FALSE(fine.empty()) << created.Describe();
  EXPECT_EQ(Settled(broken), "failed");
  EXPECT_EQ(Str(*Field(Media(broken), "web_rendition"), "reason"), "media-undecodable");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + broken + "/content?rendition=web", Auth()), 404,
                       "not-found");
  EXPECT_EQ(Settled(fine), "ready");
  EXPECT_EQ(client_.Get("/v1/media/" + fine + "/content?rendition=web", Auth()).status, 200);
  EXPECT_EQ(ArtifactBlobFiles(*server_, "web").size(), 1u) << "nothing kept of the failure";
}

TEST_F(WebRenditionTest, ErasingTheEndUserMakesTheRenditionUnreadable_USE5) {
  Start();
  const std::string id = Upload(MakeMedia(dir_.path(), "webm", 1.0), "video/webm",
                                "web_rendition=true&end_user=eu-erased");
  ASSERT_EQ(Settled(id), "ready");
  Response link = client_.Post("/v1/media/" + id + "/links", "", Auth());
  ASSERT_EQ(link.status, 201);
  const std::string url = Str(link.Json(), "url") + "&rendition=web";
  HttpClient anonymous(server_->base_url());
  ASSERT_EQ(anonymous.Get(url).status, 200);
  ASSERT_EQ(ArtifactBlobFiles(*server_, "web").size(), 1u);

  Response erased = client_.Delete("/v1/end-users/eu-erased", Auth());
  ASSERT_EQ(erased.status, 202) << erased.Describe();
  // Unreadable the moment the erasure answered, by credential or by link,
  // as the original is: 412 while the record waits for the purge (its key
  // is gone), 404 once the purge removed it; the blob goes with the purge.
  for (const std::string& path :
       {"/v1/media/" + id + "/content", "/v1/media/" + id + "/content?rendition=web"}) {
    const int status = client_.Get(path, Auth()).status;
    EXPECT_TRUE(status == 412 || status == 404) << path << ": " << status;
  }
  const int linked = anonymous.Get(url).status;
  EXPECT_TRUE(linked == 412 || linked == 404 || linked == 401) << linked;
  EXPECT_TRUE(WaitFor([&] { return ArtifactBlobFiles(*server_, "web").empty(); }));
}

}  // namespace
}  // namespace lethe::e2e
