// Serving media content end to end (USE-2: private by default): full and
// ranged GETs (libcurl and the curl binary), HEAD, validators, and the
// short-lived signed links that let a player (ffprobe, ffmpeg) fetch one
// object without a credential.
#include <set>

#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

class MediaContentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = StartTestClockServer();  // link expiry moves the clock, not the test
    scratch_ = std::make_unique<ScratchDir>();
    video_path_ = MakeMedia(scratch_->path(), "mp4", 10.0);
    if (!video_path_.empty()) video_ = ReadFileBytes(video_path_);
  }
  static void TearDownTestSuite() {
    server_.reset();
    scratch_.reset();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    ASSERT_GT(video_.size(), 2 * 65536u) << "the sample video should span several chunks";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "media-content");
    ASSERT_FALSE(tenant_.token().empty());
    Response r = UploadBytes(client_, tenant_.token(), video_, "video/mp4", "end_user=viewer");
    ASSERT_EQ(r.status, 201) << r.Describe();
    media_ = r.Json();
    id_ = Str(media_, "id");
    size_ = video_.size();
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  std::string ContentPath(const std::string& id = "") const {
    return "/v1/media/" + (id.empty() ? id_ : id) + "/content";
  }
  Headers Auth(Headers extra = {}) const {
    extra["Authorization"] = BearerHeader(tenant_.token());
    return extra;
  }
  std::string Etag() const { return "\"" + Str(media_, "sha256") + "\""; }

  // POST /v1/media/{id}/links; the returned relative URL (test failure
  // unless 201).
  std::string SignedPath(const std::string& id, std::optional<int> expires_in = std::nullopt) {
    Response r = expires_in ? client_.Post("/v1/media/" + id + "/links",
                                           json::object{{"expires_in", *expires_in}}, Auth())
                            : client_.Post("/v1/media/" + id + "/links", "", Auth());
    EXPECT_EQ(r.status, 201) << r.Describe();
    if (r.status != 201) return "";
    return Str(r.Json(), "url");
  }

  // Status codes of this account's usage events for the content route.
  std::multiset<int> ContentStatuses() {
    std::multiset<int> out;
    Response r = client_.Get("/v1/usage?limit=1000", Auth());
    EXPECT_EQ(r.status, 200) << r.Describe();
    if (r.status != 200) return out;
    for (const auto& e : Arr(r.Json(), "events")) {
      if (Str(e, "route") == "/v1/media/{id}/content") {
        out.insert(static_cast<int>(Field(e, "status")->to_number<int64_t>()));
      }
    }
    return out;
  }

  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<ScratchDir> scratch_;
  static inline std::string video_path_;
  static inline std::string video_;
  HttpClient client_;
  Tenant tenant_;
  json::value media_;
  std::string id_;
  uint64_t size_ = 0;
};

TEST_F(MediaContentTest, FullGetMatchesSha256AndHeaders) {
  Response r = client_.Get(ContentPath(), Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.body.size(), size_);
  EXPECT_EQ(Sha256Hex(r.body), Sha256Hex(video_));
  EXPECT_EQ(Sha256Hex(r.body), Str(media_, "sha256"));
  EXPECT_EQ(r.Header("Content-Length"), std::to_string(size_));
  EXPECT_EQ(r.Header("Content-Type"), "video/mp4");
  EXPECT_EQ(r.Header("ETag"), Etag());
  EXPECT_EQ(r.Header("Accept-Ranges"), "bytes");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(r.Header("Cache-Control").find("private"), std::string::npos)
      << "USE-2: private by default; Cache-Control: " << r.Header("Cache-Control");
  EXPECT_TRUE(r.Header("Content-Range").empty());

  // The curl binary, written to a file.
  ScratchDir dir;
  CommandResult c =
      RunCommand({ToolPath("curl"), "-sS", "-f", "-o", dir / "full.mp4", "-H",
                  "Authorization: Bearer " + tenant_.token(), server_->base_url() + ContentPath()});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(Sha256FileHex(dir / "full.mp4"), Str(media_, "sha256"));
}

TEST_F(MediaContentTest, CurlRangeBytesMatch) {
  ScratchDir dir;
  CommandResult c =
      RunCommand({ToolPath("curl"), "-sS", "-r", "100-199", "-o", dir / "part", "-D",
                  dir / "headers", "-w", "%{http_code}", "-H",
                  "Authorization: Bearer " + tenant_.token(), server_->base_url() + ContentPath()});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(c.output, "206");
  std::string part = ReadFileBytes(dir / "part");
  EXPECT_EQ(part.size(), 100u);
  EXPECT_TRUE(part == video_.substr(100, 100)) << "range bytes differ";
  std::string headers = Lower(ReadFileBytes(dir / "headers"));
  EXPECT_NE(headers.find("content-range: bytes 100-199/" + std::to_string(size_)),
            std::string::npos)
      << headers;
  EXPECT_NE(headers.find("content-length: 100\r\n"), std::string::npos) << headers;

  // Ranges through libcurl: across a 64 KiB chunk boundary, spanning
  // several chunks, open-ended, the last byte, and past the end (clamped).
  struct Case {
    std::string header;
    uint64_t first, last;
  } cases[] = {
      {"bytes=65530-65545", 65530, 65545},
      {"bytes=65536-65536", 65536, 65536},
      {"bytes=1000-200000", 1000, 200000},
      {"bytes=" + std::to_string(size_ - 10) + "-", size_ - 10, size_ - 1},
      {"bytes=" + std::to_string(size_ - 1) + "-" + std::to_string(size_ - 1), size_ - 1,
       size_ - 1},
      {"bytes=0-" + std::to_string(size_ + 5000), 0, size_ - 1},
      {"bytes=0-0", 0, 0},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.header);
    Response r = client_.Get(ContentPath(), Auth({{"Range", k.header}}));
    ASSERT_EQ(r.status, 206) << r.Describe();
    EXPECT_EQ(r.Header("Content-Range"), "bytes " + std::to_string(k.first) + "-" +
                                             std::to_string(k.last) + "/" + std::to_string(size_));
    EXPECT_EQ(r.body.size(), k.last - k.first + 1);
    EXPECT_TRUE(r.body == video_.substr(k.first, k.last - k.first + 1)) << "bytes differ";
    EXPECT_EQ(r.Header("ETag"), Etag());
  }
  // Not a single well-formed byte range: the whole content, 200.
  for (const char* h : {"bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=abc"}) {
    Response r = client_.Get(ContentPath(), Auth({{"Range", h}}));
    EXPECT_EQ(r.status, 200) << h << ": " << r.Describe();
    EXPECT_EQ(r.body.size(), size_) << h;
  }
}

TEST_F(MediaContentTest, SuffixRange) {
  Response r = client_.Get(ContentPath(), Auth({{"Range", "bytes=-500"}}));
  ASSERT_EQ(r.status, 206) << r.Describe();
  EXPECT_EQ(r.Header("Content-Range"), "bytes " + std::to_string(size_ - 500) + "-" +
                                           std::to_string(size_ - 1) + "/" + std::to_string(size_));
  EXPECT_TRUE(r.body == video_.substr(size_ - 500)) << "suffix bytes differ";

  // A suffix longer than the content is the whole content.
  Response all =
      client_.Get(ContentPath(), Auth({{"Range", "bytes=-" + std::to_string(size_ + 1)}}));
  ASSERT_EQ(all.status, 206) << all.Describe();
  EXPECT_EQ(all.Header("Content-Range"),
            "bytes 0-" + std::to_string(size_ - 1) + "/" + std::to_string(size_));
  EXPECT_EQ(Sha256Hex(all.body), Str(media_, "sha256"));

  ScratchDir dir;
  CommandResult c =
      RunCommand({ToolPath("curl"), "-sS", "-r", "-70000", "-o", dir / "tail", "-H",
                  "Authorization: Bearer " + tenant_.token(), server_->base_url() + ContentPath()});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_TRUE(ReadFileBytes(dir / "tail") == video_.substr(size_ - 70000));
}

TEST_F(MediaContentTest, UnsatisfiableRangeIs416WithContentRange) {
  for (const std::string& h :
       {"bytes=" + std::to_string(size_) + "-",
        "bytes=" + std::to_string(size_ + 100) + "-" + std::to_string(size_ + 200),
        std::string("bytes=-0")}) {
    SCOPED_TRACE(h);
    Response r = client_.Get(ContentPath(), Auth({{"Range", h}}));
    LETHE_EXPECT_PROBLEM(r, 416, "range-not-satisfiable");
    EXPECT_EQ(r.Header("Content-Range"), "bytes */" + std::to_string(size_));
  }
}

TEST_F(MediaContentTest, HeadGivesLengthAndNoBody) {
  Response r = client_.Request("HEAD", ContentPath(), "", Auth());
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Header("Content-Length"), std::to_string(size_));
  EXPECT_EQ(r.Header("ETag"), Etag());
  EXPECT_EQ(r.Header("Content-Type"), "video/mp4");
  EXPECT_TRUE(r.body.empty());
  Response hr = client_.Request("HEAD", ContentPath(), "", Auth({{"Range", "bytes=10-19"}}));
  EXPECT_EQ(hr.status, 206);
  EXPECT_EQ(hr.Header("Content-Length"), "10");

  // On the wire: the response ends with its head, no body bytes follow.
  std::string raw =
      RawExchange(server_->port(), "HEAD " + ContentPath() +
                                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                                       "Bearer " +
                                       tenant_.token() + "\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw.substr(0, 300);
  size_t end = raw.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << raw;
  EXPECT_EQ(raw.size(), end + 4) << "bytes after the head: " << raw.size() - end - 4;
  EXPECT_NE(Lower(raw).find("content-length: " + std::to_string(size_)), std::string::npos) << raw;
}

TEST_F(MediaContentTest, EtagIfNoneMatchGives304) {
  Response first = client_.Get(ContentPath(), Auth());
  ASSERT_EQ(first.status, 200);
  const std::string etag = first.Header("ETag");
  ASSERT_EQ(etag, Etag());
  for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    SCOPED_TRACE(inm);
    Response r = client_.Get(ContentPath(), Auth({{"If-None-Match", inm}}));
    EXPECT_EQ(r.status, 304) << r.Describe();
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.Header("ETag"), etag);
  }
  Response other = client_.Get(ContentPath(), Auth({{"If-None-Match", "\"deadbeef\""}}));
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body.size(), size_);
  // curl's own conditional request.
  ScratchDir dir;
  WriteFileBytes(dir / "etag", etag + "\n");
  CommandResult c =
      RunCommand({ToolPath("curl"), "-sS", "-o", dir / "out", "-w", "%{http_code}",
                  "--etag-compare", dir / "etag", "-H", "Authorization: Bearer " + tenant_.token(),
                  server_->base_url() + ContentPath()});
  EXPECT_EQ(c.output, "304") << c.output;
}

TEST_F(MediaContentTest, IfRangeWithWrongEtagGivesFull200) {
  Response wrong =
      client_.Get(ContentPath(), Auth({{"Range", "bytes=0-9"}, {"If-Range", "\"not-it\""}}));
  ASSERT_EQ(wrong.status, 200) << wrong.Describe();
  EXPECT_EQ(wrong.body.size(), size_);
  EXPECT_EQ(Sha256Hex(wrong.body), Str(media_, "sha256"));
  EXPECT_TRUE(wrong.Header("Content-Range").empty());

  Response right = client_.Get(ContentPath(), Auth({{"Range", "bytes=0-9"}, {"If-Range", Etag()}}));
  ASSERT_EQ(right.status, 206) << right.Describe();
  EXPECT_TRUE(right.body == video_.substr(0, 10));
}

// A signed link works with no credential at all: ffprobe reads the
// container's duration through it.
TEST_F(MediaContentTest, FfprobeOnSignedUrlReportsDuration) {
  const std::string path = SignedPath(id_);
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path.rfind("/v1/media/" + id_ + "/content?", 0), 0u) << path;
  EXPECT_EQ(path.find(tenant_.token()), std::string::npos) << "the link must not carry the token";
  const std::string url = server_->base_url() + path;
  CommandResult p =
      RunCommand({ToolPath("ffprobe"), "-v", "error", "-show_entries", "format=duration", "-of",
                  "default=noprint_wrappers=1:nokey=1", url});
  ASSERT_EQ(p.exit_code, 0) << p.output;
  double duration = std::atof(p.output.c_str());
  EXPECT_NEAR(duration, 10.0, 0.2) << p.output;

  // And a plain client without credentials gets the same bytes.
  HttpClient anon(server_->base_url());
  Response r = anon.Get(path);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Sha256Hex(r.body), Str(media_, "sha256"));
  Response part = anon.Get(path, {{"Range", "bytes=100-199"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_TRUE(part.body == video_.substr(100, 100));
  // The link is for content only: not the metadata.
  std::string query = path.substr(path.find('?'));
  LETHE_EXPECT_PROBLEM(anon.Get("/v1/media/" + id_ + query), 401, "unauthenticated");
  LETHE_EXPECT_PROBLEM(anon.Get("/v1/media" + query), 401, "unauthenticated");
}

// ffmpeg seeks 3 s in through the signed URL: the moov box is at the end of
// this file, so that takes Range requests, which the usage log shows as 206.
TEST_F(MediaContentTest, FfmpegSeeksThroughSignedUrl) {
  const std::string path = SignedPath(id_, 600);
  ASSERT_FALSE(path.empty());
  std::multiset<int> before = ContentStatuses();
  CommandResult f =
      RunCommand({ToolPath("ffmpeg"), "-hide_banner", "-nostdin", "-v", "error", "-ss", "3", "-i",
                  server_->base_url() + path, "-frames:v", "1", "-f", "null", "-"});
  ASSERT_EQ(f.exit_code, 0) << f.output;
  std::multiset<int> after = ContentStatuses();
  EXPECT_GT(after.count(206), before.count(206)) << "ffmpeg made no range request";
  EXPECT_EQ(after.count(401), before.count(401));
  EXPECT_EQ(after.count(500), 0u);
}

TEST_F(MediaContentTest, ExpiredOrTamperedSignatureIs401) {
  HttpClient anon(server_->base_url());
  const std::string good = SignedPath(id_, 60);
  ASSERT_FALSE(good.empty());
  ASSERT_EQ(anon.Get(good).status, 200);

  auto replace_param = [](std::string url, const std::string& name, const std::string& value) {
    size_t at = url.find(name + "=");
    size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    return url.replace(at + name.size() + 1, end - at - name.size() - 1, value);
  };
  auto param = [](const std::string& url, const std::string& name) {
    size_t at = url.find(name + "=");
    size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    return url.substr(at + name.size() + 1, end - at - name.size() - 1);
  };
  std::string sig = param(good, "sig");
  ASSERT_FALSE(sig.empty());
  std::string flipped = sig;
  flipped[sig.size() / 2] = flipped[sig.size() / 2] == 'A' ? 'B' : 'A';
  int64_t expires = std::atoll(param(good, "expires").c_str());
  ASSERT_GT(expires, 0);
  std::vector<std::pair<std::string, std::string>> bad = {
      {"flipped signature", replace_param(good, "sig", flipped)},
      {"truncated signature", replace_param(good, "sig", sig.substr(0, sig.size() - 2))},
      {"empty signature", replace_param(good, "sig", "")},
      {"extended expiry", replace_param(good, "expires", std::to_string(expires + 3600000))},
      {"non-numeric expiry", replace_param(good, "expires", "tomorrow")},
      {"other account", replace_param(good, "account", "acc_AAAAAAAAAAAAAAAAAAAAAA")},
      {"missing account", replace_param(good, "account", "")},
  };
  for (const auto& [what, url] : bad) {
    Response r = anon.Get(url);
    EXPECT_TRUE(IsProblem(r, 401, "unauthenticated")) << what << ": " << url << " " << r.Describe();
  }
  // A link without its signature is just an unauthenticated request.
  LETHE_EXPECT_PROBLEM(anon.Get(ContentPath() + "?account=" + param(good, "account") +
                                "&expires=" + param(good, "expires")),
                       401, "unauthenticated");

  // Lifetime bounds.
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/media/" + id_ + "/links", json::object{{"expires_in", 0}}, Auth()), 400,
      "invalid-field");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/media/" + id_ + "/links", json::object{{"expires_in", 86401}}, Auth()), 400,
      "invalid-field");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/media/" + id_ + "/links", json::object{{"expires", 60}}, Auth()), 400,
      "unknown-field");
  Response day =
      client_.Post("/v1/media/" + id_ + "/links", json::object{{"expires_in", 86400}}, Auth());
  ASSERT_EQ(day.status, 201) << day.Describe();
  auto day_expiry = ParseRfc3339(Str(day.Json(), "expires_at"));
  ASSERT_TRUE(day_expiry);
  auto left = std::chrono::duration_cast<std::chrono::seconds>(*day_expiry -
                                                               std::chrono::system_clock::now());
  EXPECT_NEAR(static_cast<double>(left.count()), 86400.0, 30.0);

  // Without a body the link lives 900 s (docs/api.md).
  Response def = client_.Post("/v1/media/" + id_ + "/links", "", Auth());
  ASSERT_EQ(def.status, 201) << def.Describe();
  auto def_expiry = ParseRfc3339(Str(def.Json(), "expires_at"));
  ASSERT_TRUE(def_expiry);
  auto def_left = std::chrono::duration_cast<std::chrono::seconds>(
      *def_expiry - std::chrono::system_clock::now());
  EXPECT_NEAR(static_cast<double>(def_left.count()), 900.0, 30.0);

  // Expiry: a 60-second link works until the server's clock passes it.
  Response shortl =
      client_.Post("/v1/media/" + id_ + "/links", json::object{{"expires_in", 60}}, Auth());
  ASSERT_EQ(shortl.status, 201) << shortl.Describe();
  const std::string short_path = Str(shortl.Json(), "url");
  EXPECT_EQ(anon.Get(short_path, {{"Range", "bytes=0-0"}}).status, 206);
  ASSERT_TRUE(AdvanceClock(*server_, 61));
  LETHE_EXPECT_PROBLEM(anon.Get(short_path), 401, "unauthenticated");
  // The day-long one still works; the 60-second one from the start has gone too.
  EXPECT_EQ(anon.Get(Str(day.Json(), "url"), {{"Range", "bytes=0-0"}}).status, 206);
  LETHE_EXPECT_PROBLEM(anon.Get(good), 401, "unauthenticated");
}

// A link grants one object: with another media's id in the path (same
// account), or after the media is deleted, it opens nothing.
TEST_F(MediaContentTest, SignedLinkForAOpensOnlyA) {
  Response rb =
      UploadBytes(client_, tenant_.token(), PatternBytes(200000, 5, FtypHeader()), "video/mp4",
                  "title=B");  // any other video (a cut one would not demux: 415)
  ASSERT_EQ(rb.status, 201) << rb.Describe();
  const std::string id_b = Str(rb.Json(), "id");
  const std::string link_a = SignedPath(id_);
  ASSERT_FALSE(link_a.empty());
  HttpClient anon(server_->base_url());
  ASSERT_EQ(anon.Get(link_a, {{"Range", "bytes=0-0"}}).status, 206);

  std::string swapped = link_a;
  swapped.replace(swapped.find(id_), id_.size(), id_b);
  Response r = anon.Get(swapped);
  LETHE_EXPECT_PROBLEM(r, 401, "unauthenticated");
  EXPECT_EQ(r.body.find(Str(rb.Json(), "sha256")), std::string::npos);

  // Another account's media under this account's link: 401 as well.
  Tenant other = NewTenant(client_, "media-content-other");
  ASSERT_FALSE(other.token().empty());
  Response ro = UploadBytes(client_, other.token(), video_, "video/mp4");
  ASSERT_EQ(ro.status, 201);
  std::string cross = link_a;
  cross.replace(cross.find(id_), id_.size(), Str(ro.Json(), "id"));
  LETHE_EXPECT_PROBLEM(anon.Get(cross), 401, "unauthenticated");

  // B's own link works; after B is deleted it is 404 (the signature is
  // valid, the object is gone).
  const std::string link_b = SignedPath(id_b);
  ASSERT_EQ(anon.Get(link_b).status, 200);
  ASSERT_EQ(client_.Delete("/v1/media/" + id_b, Auth()).status, 202);
  LETHE_EXPECT_PROBLEM(anon.Get(link_b), 404, "not-found");
}

}  // namespace
}  // namespace lethe::e2e
