// The media store's API end to end (USE-2: customer content, private by
// default; USE-3: stored only because the customer asked, for that customer
// only): ingest (raw and multipart, libcurl and the curl binary), sniffing
// against the declared type, size limits, listing, correction, deletion and
// isolation between accounts.
#include <map>
#include <set>

#include "media_support.h"

namespace lethe::e2e {
namespace {

// A media object without what only GET /v1/media/{id} adds (its poster,
// transcript and processing state, issue 14), to compare with the others.
boost::json::value WithoutArtifacts(boost::json::value v) {
  for (const char* k : {"poster", "transcript", "web_rendition", "processing"}) {
    v.as_object().erase(k);
  }
  return v;
}

namespace json = boost::json;

constexpr uint64_t kMaxMedia = 4 * 1024 * 1024;

class MediaApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--max-media-bytes", std::to_string(kMaxMedia)});
    scratch_ = std::make_unique<ScratchDir>();
    for (const char* kind :
         {"mp4", "webm", "ogg", "mp3", "wav", "flac", "jpeg", "png", "gif", "webp"}) {
      files_[kind] = MakeMedia(scratch_->path(), kind, 1.0);
    }
  }
  static void TearDownTestSuite() {
    server_.reset();
    scratch_.reset();
    files_.clear();
  }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    for (const auto& [kind, path] : files_) ASSERT_FALSE(path.empty()) << "no sample " << kind;
    client_.set_base_url(server_->base_url());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  static std::string Sample(const std::string& kind) { return ReadFileBytes(files_.at(kind)); }

  // Uploads `kind`'s sample raw and returns the created record (test failure
  // unless 201).
  json::value Upload(const std::string& token, const std::string& kind,
                     const std::string& content_type, const std::string& query = "") {
    Response r = UploadBytes(client_, token, Sample(kind), content_type, query);
    EXPECT_EQ(r.status, 201) << kind << " as " << content_type << ": " << r.Describe();
    if (r.status != 201) return nullptr;
    return r.Json();
  }

  // The ids of `items`, in order.
  static std::vector<std::string> Ids(const std::vector<json::value>& items) {
    std::vector<std::string> out;
    for (const auto& m : items) out.push_back(Str(m, "id"));
    return out;
  }

  static std::vector<std::string> Tags(const json::value& m) {
    std::vector<std::string> out;
    for (const auto& t : Arr(m, "tags")) out.emplace_back(t.as_string());
    return out;
  }

  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<ScratchDir> scratch_;
  static inline std::map<std::string, std::string> files_;
  HttpClient client_;
};

// USE-2: a raw upload records every metadata field given in the query and
// the facts of the bytes (size, hash, sniffed kind), and reads back the same.
TEST_F(MediaApiTest, RawUploadRecordsEveryField_USE2) {
  Tenant t = NewTenant(client_, "media-raw");
  ASSERT_FALSE(t.token().empty());
  const std::string bytes = Sample("mp4");
  auto before = std::chrono::system_clock::now() - std::chrono::seconds(2);
  Response r = UploadBytes(client_, t.token(), bytes, "video/mp4",
                           "end_user=alice%40example.org&title=" + UrlEncode("Holiday clip #1") +
                               "&tags=" + UrlEncode("beach, summer ,2026") + "&expiration_days=7");
  ASSERT_EQ(r.status, 201) << r.Describe();
  auto after = std::chrono::system_clock::now() + std::chrono::seconds(2);
  json::value m = r.Json();
  const std::string id = Str(m, "id");
  EXPECT_EQ(id.rfind("med_", 0), 0u) << id;
  EXPECT_EQ(r.Header("Location"), "/v1/media/" + id);
  EXPECT_EQ(Str(m, "kind"), "video");
  EXPECT_EQ(Str(m, "content_type"), "video/mp4");
  ASSERT_NE(Field(m, "bytes"), nullptr);
  EXPECT_EQ(Field(m, "bytes")->to_number<int64_t>(), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(Str(m, "sha256"), Sha256Hex(bytes));
  EXPECT_EQ(Str(m, "title"), "Holiday clip #1");
  EXPECT_EQ(Tags(m), (std::vector<std::string>{"beach", "summer", "2026"}));
  EXPECT_EQ(Str(m, "end_user"), "alice@example.org");
  auto created = ParseRfc3339(Str(m, "created_at"));
  auto expires = ParseRfc3339(Str(m, "expires_at"));
  ASSERT_TRUE(created && expires) << r.body;
  EXPECT_GT(*created, before);
  EXPECT_LT(*created, after);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(*expires - *created).count(),
            7LL * 86400 * 1000);

  // The metadata reads back identically, and so do the bytes.
  Response got = client_.Get("/v1/media/" + id, BearerAuth(t.token()));
  ASSERT_EQ(got.status, 200) << got.Describe();
  EXPECT_EQ(WithoutArtifacts(got.Json()), m);
  Response content = client_.Get("/v1/media/" + id + "/content", BearerAuth(t.token()));
  ASSERT_EQ(content.status, 200) << content.Describe();
  EXPECT_EQ(content.body.size(), bytes.size());
  EXPECT_TRUE(content.body == bytes) << "content differs from the upload";

  // Without any metadata: the optional fields are empty / null.
  Response bare = UploadBytes(client_, t.token(), bytes, "video/mp4");
  ASSERT_EQ(bare.status, 201) << bare.Describe();
  json::value b = bare.Json();
  EXPECT_NE(Str(b, "id"), id);
  EXPECT_EQ(Str(b, "title"), "");
  EXPECT_TRUE(Arr(b, "tags").empty());
  ASSERT_NE(Field(b, "end_user"), nullptr);
  EXPECT_TRUE(Field(b, "end_user")->is_null()) << bare.body;
  ASSERT_NE(Field(b, "expires_at"), nullptr);
  EXPECT_TRUE(Field(b, "expires_at")->is_null()) << bare.body;

  // Tags repeated in the query (docs/api.md: "comma-separated or repeated").
  Response rep =
      UploadBytes(client_, t.token(), bytes, "video/mp4", "tags=one&tags=two,three&tags=four");
  ASSERT_EQ(rep.status, 201) << rep.Describe();
  EXPECT_EQ(Tags(rep.Json()), (std::vector<std::string>{"one", "two", "three", "four"}))
      << rep.body;

  // Basic key_id:secret works as well as the bearer token.
  KeyInfo key = CreateKey(client_, t.session, t.account.id);
  ASSERT_FALSE(key.key_id.empty());
  Headers basic{{"Authorization", BasicHeader(key.key_id, key.secret)},
                {"Content-Type", "image/png"}};
  Response viakey = client_.Request("POST", "/v1/media?title=via%20key", Sample("png"), basic);
  ASSERT_EQ(viakey.status, 201) << viakey.Describe();
  EXPECT_EQ(Str(viakey.Json(), "kind"), "image");
}

// Invalid metadata is refused, and a refused upload leaves nothing behind:
// no record, no blob, no temp file.
TEST_F(MediaApiTest, InvalidMetadataRefusedWithoutLeftovers) {
  Tenant t = NewTenant(client_, "media-invalid");
  ASSERT_FALSE(t.token().empty());
  const size_t blobs_before = BlobFiles(*server_).size();
  const std::string png = Sample("png");
  struct Case {
    std::string query;
    long status;
    std::string type;
  } cases[] = {
      {"expiration_days=0", 400, "invalid-field"},
      {"expiration_days=36501", 400, "invalid-field"},
      {"expiration_days=soon", 400, "invalid-field"},
      {"title=" + std::string(501, 'x'), 400, "invalid-field"},
      {"end_user=" + std::string(257, 'u'), 400, "invalid-field"},
      {"tags=" + std::string(65, 't'), 400, "invalid-field"},
      {"color=red", 400, "unknown-field"},
  };
  std::string many_tags = "tags=";
  for (int i = 0; i < 33; ++i) many_tags += "t" + std::to_string(i) + ",";
  Response r = UploadBytes(client_, t.token(), png, "image/png", many_tags);
  LETHE_EXPECT_PROBLEM(r, 400, "invalid-field");
  for (const Case& c : cases) {
    Response resp = UploadBytes(client_, t.token(), png, "image/png", c.query);
    EXPECT_TRUE(IsProblem(resp, c.status, c.type))
        << c.query.substr(0, 40) << ": " << resp.Describe();
  }
  // Boundaries that are fine.
  Response ok = UploadBytes(client_, t.token(), png, "image/png",
                            "expiration_days=36500&title=" + std::string(500, 'x'));
  EXPECT_EQ(ok.status, 201) << ok.Describe();
  EXPECT_EQ(ListAllMedia(client_, t.token()).size(), 1u);
  EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }))
      << "temp files left: " << IncomingFiles(*server_).size();
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before + 1);
}

// multipart/form-data: a `file` part plus fields, before and after it, from
// a hand-built body (libcurl) and from the curl binary's -F.
TEST_F(MediaApiTest, MultipartUploadWithFields_USE2) {
  Tenant t = NewTenant(client_, "media-multipart");
  ASSERT_FALSE(t.token().empty());
  const std::string webm = Sample("webm");
  const std::string boundary = "----lethe-e2e-boundary-7MA4YWxkTrZu0gW";
  auto part = [&](const std::string& name, const std::string& value) {
    return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
           value + "\r\n";
  };
  std::string body = part("title", "Cat video") + part("tags", "cats, pets") + "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cat.webm\""
                     "\r\nContent-Type: video/webm\r\n\r\n" +
                     webm + "\r\n" + part("end_user", "eu_42") + part("tag", "funny") +
                     part("expiration_days", "30") + "--" + boundary + "--\r\n";
  Headers h = BearerAuth(t.token());
  h["Content-Type"] = "multipart/form-data; boundary=" + boundary;
  Response r = client_.Request("POST", "/v1/media", body, h);
  ASSERT_EQ(r.status, 201) << r.Describe();
  json::value m = r.Json();
  EXPECT_EQ(Str(m, "kind"), "video");
  EXPECT_EQ(Str(m, "content_type"), "video/webm");
  EXPECT_EQ(Field(m, "bytes")->to_number<int64_t>(), static_cast<int64_t>(webm.size()));
  EXPECT_EQ(Str(m, "sha256"), Sha256Hex(webm));
  EXPECT_EQ(Str(m, "title"), "Cat video");
  EXPECT_EQ(Tags(m), (std::vector<std::string>{"cats", "pets", "funny"}));
  EXPECT_EQ(Str(m, "end_user"), "eu_42");
  auto created = ParseRfc3339(Str(m, "created_at"));
  auto expires = ParseRfc3339(Str(m, "expires_at"));
  ASSERT_TRUE(created && expires);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(*expires - *created).count(), 30 * 24);

  // The same through chunked transfer encoding.
  Response chunked = client_.Request("POST", "/v1/media", body, h, RequestOptions{.chunked = true});
  ASSERT_EQ(chunked.status, 201) << chunked.Describe();
  EXPECT_EQ(Str(chunked.Json(), "sha256"), Sha256Hex(webm));
  EXPECT_EQ(Str(chunked.Json(), "end_user"), "eu_42");
  EXPECT_EQ(Tags(chunked.Json()), (std::vector<std::string>{"cats", "pets", "funny"}));

  // A form without a file part, and one with two.
  Response nofile = client_.Request("POST", "/v1/media",
                                    part("title", "nothing") + "--" + boundary + "--\r\n", h);
  LETHE_EXPECT_PROBLEM(nofile, 400, "invalid-field");
  std::string filepart = "--" + boundary +
                         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\""
                         "\r\nContent-Type: image/png\r\n\r\n" +
                         Sample("png") + "\r\n";
  Response twofiles =
      client_.Request("POST", "/v1/media", filepart + filepart + "--" + boundary + "--\r\n", h);
  LETHE_EXPECT_PROBLEM(twofiles, 400, "invalid-field");
  // A part whose declared type disagrees with its bytes.
  std::string lying = "--" + boundary +
                      "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\""
                      "\r\nContent-Type: video/mp4\r\n\r\n" +
                      Sample("png") + "\r\n--" + boundary + "--\r\n";
  LETHE_EXPECT_PROBLEM(client_.Request("POST", "/v1/media", lying, h), 415,
                       "unsupported-media-type");

  // The curl binary's own multipart encoder.
  ScratchDir dir;
  const std::string out = dir / "resp.json";
  CommandResult c = RunCommand(
      {ToolPath("curl"), "-sS", "-o", out, "-w", "%{http_code}", "-H",
       "Authorization: Bearer " + t.token(), "-F", "file=@" + files_.at("mp3") + ";type=audio/mpeg",
       "-F", "title=Morning podcast", "-F", "tags=talk,news", "-F", "end_user=listener-9", "-F",
       "expiration_days=1", server_->base_url() + "/v1/media"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(c.output, "201") << ReadFileBytes(out);
  json::value cm = json::parse(ReadFileBytes(out));
  EXPECT_EQ(Str(cm, "kind"), "audio");
  EXPECT_EQ(Str(cm, "content_type"), "audio/mpeg");
  EXPECT_EQ(Str(cm, "sha256"), Sha256FileHex(files_.at("mp3")));
  EXPECT_EQ(Str(cm, "title"), "Morning podcast");
  EXPECT_EQ(Tags(cm), (std::vector<std::string>{"talk", "news"}));
  EXPECT_EQ(Str(cm, "end_user"), "listener-9");
  EXPECT_FALSE(Str(cm, "expires_at").empty());
  StreamResult back = DownloadHashed(
      server_->base_url() + "/v1/media/" + Str(cm, "id") + "/content", BearerAuth(t.token()));
  EXPECT_EQ(back.status, 200) << back.Describe();
  EXPECT_EQ(back.body_sha256, Sha256FileHex(files_.at("mp3")));
}

// Every container the sniffer knows is accepted under a declared type that
// matches it, stored under that type and kind, and read back byte for byte.
TEST_F(MediaApiTest, EverySniffedTypeAcceptedWithDeclaredType) {
  Tenant t = NewTenant(client_, "media-types");
  ASSERT_FALSE(t.token().empty());
  // Sniffing alone: the hand-built headers below are no real images, and
  // scrubbing (on for new accounts, issue 14) refuses a JPEG whose
  // metadata it cannot parse (unscrubbable-media, MediaProbeTest).
  ASSERT_EQ(client_
                .Patch("/v1/accounts/" + t.account.id, json::object{{"scrub_metadata", false}},
                       BearerAuth(t.session))
                .status,
            200);
  struct Case {
    std::string sample, declared, stored, kind;
  } cases[] = {
      {"mp4", "video/mp4", "video/mp4", "video"},
      {"mp4", "Video/MP4; codecs=\"avc1.42E01E, mp4a.40.2\"", "video/mp4", "video"},
      {"mp4", "audio/mp4", "audio/mp4", "audio"},
      {"mp4", "video/quicktime", "video/quicktime", "video"},
      {"webm", "video/webm", "video/webm", "video"},
      {"webm", "audio/webm", "audio/webm", "audio"},
      {"ogg", "audio/ogg", "audio/ogg", "audio"},
      {"ogg", "application/ogg", "application/ogg", "audio"},
      {"mp3", "audio/mpeg", "audio/mpeg", "audio"},
      {"wav", "audio/wav", "audio/wav", "audio"},
      {"wav", "audio/x-wav", "audio/x-wav", "audio"},
      {"flac", "audio/flac", "audio/flac", "audio"},
      {"jpeg", "image/jpeg", "image/jpeg", "image"},
      {"png", "image/png", "image/png", "image"},
      {"gif", "image/gif", "image/gif", "image"},
      {"webp", "image/webp", "image/webp", "image"},
      // No useful declaration: the bytes decide.
      {"webm", "application/octet-stream", "video/webm", "video"},
      {"flac", "", "audio/flac", "audio"},
      {"jpeg", "application/octet-stream", "image/jpeg", "image"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sample + " declared as \"" + c.declared + "\"");
    const std::string bytes = Sample(c.sample);
    Response r = UploadBytes(client_, t.token(), bytes, c.declared);
    ASSERT_EQ(r.status, 201) << r.Describe();
    json::value m = r.Json();
    EXPECT_EQ(Str(m, "content_type"), c.stored);
    EXPECT_EQ(Str(m, "kind"), c.kind);
    EXPECT_EQ(Str(m, "sha256"), Sha256Hex(bytes));
    Response back = client_.Get("/v1/media/" + Str(m, "id") + "/content", BearerAuth(t.token()));
    EXPECT_EQ(back.status, 200) << back.Describe();
    EXPECT_EQ(back.Header("Content-Type"), c.stored);
    EXPECT_EQ(back.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_TRUE(back.body == bytes) << "bytes differ";
  }
  // Hand-built minimal headers (the sniffer looks at 32 bytes): an MPEG
  // audio frame without ID3, a JFIF-less JPEG, GIF87a.
  std::string mpeg_frame("\xFF\xFB\x90\x64", 4);
  mpeg_frame += std::string(400, '\0');
  std::string jpeg("\xFF\xD8\xFF\xDB", 4);
  jpeg += std::string(100, '\x01');
  std::string gif87 = "GIF87a" + std::string(40, '\0');
  for (const auto& [bytes, type] : std::vector<std::pair<std::string, std::string>>{
           {mpeg_frame, "audio/mpeg"}, {jpeg, "image/jpeg"}, {gif87, "image/gif"}}) {
    Response r = UploadBytes(client_, t.token(), bytes, type);
    EXPECT_EQ(r.status, 201) << type << ": " << r.Describe();
  }
}

// What the bytes are decides, not what the client says: a mismatch is 415
// and stores nothing.
TEST_F(MediaApiTest, DeclaredTypeMismatchIs415) {
  Tenant t = NewTenant(client_, "media-415");
  ASSERT_FALSE(t.token().empty());
  const size_t blobs_before = BlobFiles(*server_).size();
  const std::string html =
      "<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";
  struct Case {
    std::string bytes, declared;
  } cases[] = {
      {Sample("png"), "video/mp4"},
      {Sample("mp4"), "image/png"},
      {Sample("wav"), "image/webp"},  // RIFF, but not WEBP
      {Sample("webp"), "audio/wav"},  // RIFF, but not WAVE
      {Sample("ogg"), "audio/flac"},
      {html, "video/mp4"},
      {html, "text/html"},
      {html, "application/octet-stream"},
      {html, ""},
      {Sample("png"), "text/plain"},
      {Sample("mp4"), "application/json"},
  };
  for (const Case& c : cases) {
    Response r = UploadBytes(client_, t.token(), c.bytes, c.declared);
    EXPECT_TRUE(IsProblem(r, 415, "unsupported-media-type"))
        << "declared \"" << c.declared << "\": " << r.Describe();
  }
  EXPECT_TRUE(ListAllMedia(client_, t.token()).empty());
  EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }));
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before);
}

// --max-media-bytes: a body over the limit is 413, whether it says so up
// front (Content-Length) or only while streaming (chunked); exactly the limit
// is fine.
TEST_F(MediaApiTest, OverLimitIs413ContentLengthAndChunked) {
  Tenant t = NewTenant(client_, "media-413");
  ASSERT_FALSE(t.token().empty());
  const size_t blobs_before = BlobFiles(*server_).size();
  const std::string at_limit = PatternBytes(kMaxMedia, 1, FtypHeader());
  const std::string over = PatternBytes(kMaxMedia + 1, 2, FtypHeader());
  const std::string way_over = PatternBytes(kMaxMedia + 300 * 1024, 3, FtypHeader());

  // Content-Length over the limit, announced before any body byte: refused
  // without reading the body.
  std::string head =
      "POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + t.token() +
      "\r\nContent-Type: video/mp4\r\nContent-Length: " + std::to_string(kMaxMedia + 1) +
      "\r\n\r\n";
  std::string raw = RawExchange(server_->port(), head + FtypHeader());
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw.substr(0, 300);
  EXPECT_NE(raw.find("payload-too-large"), std::string::npos) << raw.substr(0, 600);

  // The same with a real client sending the whole body.
  Response r = UploadBytes(client_, t.token(), over, "video/mp4");
  LETHE_EXPECT_PROBLEM(r, 413, "payload-too-large");

  // Chunked: the server only finds out while reading.
  Response rc =
      UploadBytes(client_, t.token(), way_over, "video/mp4", "", RequestOptions{.chunked = true});
  LETHE_EXPECT_PROBLEM(rc, 413, "payload-too-large");
  Response rc1 =
      UploadBytes(client_, t.token(), over, "video/mp4", "", RequestOptions{.chunked = true});
  LETHE_EXPECT_PROBLEM(rc1, 413, "payload-too-large");

  // The curl binary streaming a file (-T): it sends Expect: 100-continue,
  // so the server can refuse before a single body byte is sent.
  ScratchDir dir;
  ASSERT_TRUE(WriteFileBytes(dir / "over.mp4", way_over));
  CommandResult c =
      RunCommand({ToolPath("curl"), "-sS", "-X", "POST", "-T", dir / "over.mp4", "-o", dir / "resp",
                  "-w", "%{http_code} %{size_upload}", "-H", "Authorization: Bearer " + t.token(),
                  "-H", "Content-Type: video/mp4", server_->base_url() + "/v1/media"});
  EXPECT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(c.output.substr(0, 4), "413 ") << c.output;
  EXPECT_LT(std::atoll(c.output.c_str() + 4), static_cast<long long>(kMaxMedia))
      << "curl uploaded the body anyway: " << c.output;
  EXPECT_NE(ReadFileBytes(dir / "resp").find("payload-too-large"), std::string::npos);

  EXPECT_TRUE(ListAllMedia(client_, t.token()).empty());
  EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }))
      << IncomingFiles(*server_).size() << " temp files left";
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before);

  // Exactly the limit, both ways.
  Response ok = UploadBytes(client_, t.token(), at_limit, "video/mp4");
  ASSERT_EQ(ok.status, 201) << ok.Describe();
  EXPECT_EQ(Str(ok.Json(), "sha256"), Sha256Hex(at_limit));
  Response okc =
      UploadBytes(client_, t.token(), at_limit, "video/mp4", "", RequestOptions{.chunked = true});
  ASSERT_EQ(okc.status, 201) << okc.Describe();
  EXPECT_EQ(Field(okc.Json(), "bytes")->to_number<int64_t>(), static_cast<int64_t>(kMaxMedia));
  // And with curl -T (Expect: 100-continue, then the body).
  ASSERT_TRUE(WriteFileBytes(dir / "at.mp4", at_limit));
  CommandResult ct =
      RunCommand({ToolPath("curl"), "-sS", "-X", "POST", "-T", dir / "at.mp4", "-o", dir / "resp2",
                  "-w", "%{http_code}", "-H", "Authorization: Bearer " + t.token(), "-H",
                  "Content-Type: video/mp4", server_->base_url() + "/v1/media"});
  EXPECT_EQ(ct.output, "201") << ct.output << ReadFileBytes(dir / "resp2");
  EXPECT_NE(ReadFileBytes(dir / "resp2").find(Sha256Hex(at_limit)), std::string::npos);
  EXPECT_EQ(ListAllMedia(client_, t.token()).size(), 3u);
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before + 3);
}

// The data plane names a request's end user with the end_user query
// parameter or the Lethe-End-User header (docs/api.md). An upload that names
// its end user with the header belongs to that end user (USE-2), and its
// usage event records that end user (USE-1), as with the query parameter.
TEST_F(MediaApiTest, EndUserHeaderNamesTheUploadsEndUser_USE2) {
  Tenant t = NewTenant(client_, "media-eu-header");
  ASSERT_FALSE(t.token().empty());
  Headers h = BearerAuth(t.token());
  h["Content-Type"] = "image/png";
  h["Lethe-End-User"] = "header-user";
  Response r = client_.Request("POST", "/v1/media?title=by-header", Sample("png"), h);
  ASSERT_EQ(r.status, 201) << r.Describe();
  json::value m = r.Json();
  const json::value* eu = Field(m, "end_user");
  ASSERT_NE(eu, nullptr);
  EXPECT_EQ(*eu, json::value("header-user")) << "media end_user: " << r.body;

  // The same upload naming the end user in the query, for comparison.
  Response q = UploadBytes(client_, t.token(), Sample("png"), "image/png", "end_user=query-user");
  ASSERT_EQ(q.status, 201);
  EXPECT_EQ(Str(q.Json(), "end_user"), "query-user");

  Response usage = client_.Get("/v1/usage?limit=100", BearerAuth(t.token()));
  ASSERT_EQ(usage.status, 200) << usage.Describe();
  std::vector<std::string> upload_end_users;
  for (const auto& e : Arr(usage.Json(), "events")) {
    if (Str(e, "route") == "/v1/media" && Str(e, "method") == "POST") {
      const json::value* v = Field(e, "end_user");
      upload_end_users.push_back(v && v->is_string() ? std::string(v->as_string()) : "<null>");
    }
  }
  std::sort(upload_end_users.begin(), upload_end_users.end());
  EXPECT_EQ(upload_end_users, (std::vector<std::string>{"header-user", "query-user"}))
      << "end users recorded on the upload usage events";
}

// Listing: filters by end user, tag and kind, alone and combined; cursor
// pagination that neither skips nor repeats; oldest first.
TEST_F(MediaApiTest, ListFiltersAndCursorPagination) {
  Tenant t = NewTenant(client_, "media-list");
  ASSERT_FALSE(t.token().empty());
  struct Item {
    std::string sample, type, query;
  } items[] = {
      {"png", "image/png", "end_user=u1&tags=red,small"},  // 0
      {"wav", "audio/wav", "end_user=u1&tags=tone"},       // 1
      {"mp4", "video/mp4", "end_user=u2&tags=red"},        // 2
      {"png", "image/png", "end_user=u2"},                 // 3
      {"mp4", "video/mp4", "tags=red,tone"},               // 4
      {"wav", "audio/wav", "end_user=u1&tags=red"},        // 5
      {"gif", "image/gif", "end_user=u3"},                 // 6
  };
  std::vector<std::string> ids;
  for (const Item& it : items) {
    json::value m = Upload(t.token(), it.sample, it.type, it.query);
    ASSERT_FALSE(m.is_null());
    ids.push_back(Str(m, "id"));
  }
  auto expect = [&](std::initializer_list<int> idx) {
    std::vector<std::string> out;
    for (int i : idx) out.push_back(ids[static_cast<size_t>(i)]);
    return out;
  };
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token())), expect({0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "end_user=u1")), expect({0, 1, 5}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "tag=red")), expect({0, 2, 4, 5}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "tag=small")), expect({0}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "kind=image")), expect({0, 3, 6}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "kind=audio")), expect({1, 5}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "kind=video")), expect({2, 4}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "end_user=u1&tag=red")), expect({0, 5}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "end_user=u1&kind=audio")), expect({1, 5}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "tag=tone&kind=video")), expect({4}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "end_user=u2&tag=red&kind=video")), expect({2}));
  EXPECT_TRUE(ListAllMedia(client_, t.token(), "end_user=nobody").empty());
  EXPECT_TRUE(ListAllMedia(client_, t.token(), "tag=re").empty()) << "tags match exactly";
  EXPECT_TRUE(ListAllMedia(client_, t.token(), "end_user=u").empty());

  // Pages of 3: [0 1 2] [3 4 5] [6], each page's cursor leading on.
  std::vector<std::vector<std::string>> pages;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    Response r = client_.Get("/v1/media?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor),
                             BearerAuth(t.token()));
    ASSERT_EQ(r.status, 200) << r.Describe();
    json::value v = r.Json();
    std::vector<std::string> page;
    for (const auto& m : Arr(v, "media")) page.push_back(Str(m, "id"));
    pages.push_back(page);
    const json::value* next = Field(v, "next_cursor");
    ASSERT_NE(next, nullptr);
    if (next->is_null()) break;
    cursor = UrlEncode(next->as_string());
  }
  EXPECT_EQ(pages, (std::vector<std::vector<std::string>>{expect({0, 1, 2}), expect({3, 4, 5}),
                                                          expect({6})}));
  // Filtered pagination, pages of 1 and 2.
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "tag=red", 1)), expect({0, 2, 4, 5}));
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "end_user=u1", 2)), expect({0, 1, 5}));

  // Bad parameters.
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media?kind=document", BearerAuth(t.token())), 400,
                       "bad-request");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media?limit=0", BearerAuth(t.token())), 400, "bad-request");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media?limit=1001", BearerAuth(t.token())), 400,
                       "bad-request");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media?cursor=not-a-cursor", BearerAuth(t.token())), 400,
                       "bad-request");
}

// PATCH corrects title, tags and end user; nothing else is patchable; the
// bytes stay readable after the end user (and so the data key's wrapping)
// changes.
TEST_F(MediaApiTest, PatchCorrectsTitleTagsEndUser) {
  Tenant t = NewTenant(client_, "media-patch");
  ASSERT_FALSE(t.token().empty());
  json::value m = Upload(t.token(), "mp4", "video/mp4",
                         "end_user=first&title=Draft&tags=a,b&expiration_days=3");
  ASSERT_FALSE(m.is_null());
  const std::string id = Str(m, "id");
  const std::string path = "/v1/media/" + id;

  Response p1 = client_.Patch(path, json::object{{"title", "Final cut"}}, BearerAuth(t.token()));
  ASSERT_EQ(p1.status, 200) << p1.Describe();
  json::value v1 = p1.Json();
  EXPECT_EQ(Str(v1, "title"), "Final cut");
  EXPECT_EQ(Tags(v1), (std::vector<std::string>{"a", "b"})) << "untouched fields stay";
  EXPECT_EQ(Str(v1, "end_user"), "first");
  EXPECT_EQ(Str(v1, "sha256"), Str(m, "sha256"));
  EXPECT_EQ(Str(v1, "created_at"), Str(m, "created_at"));
  EXPECT_EQ(Str(v1, "expires_at"), Str(m, "expires_at"));

  Response p2 = client_.Patch(
      path, json::object{{"tags", json::array{"x", "y", "z"}}, {"end_user", "second"}},
      BearerAuth(t.token()));
  ASSERT_EQ(p2.status, 200) << p2.Describe();
  Response got = client_.Get(path, BearerAuth(t.token()));
  ASSERT_EQ(got.status, 200);
  json::value g = got.Json();
  EXPECT_EQ(Str(g, "title"), "Final cut");
  EXPECT_EQ(Tags(g), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(Str(g, "end_user"), "second");
  EXPECT_EQ(p2.Json(), WithoutArtifacts(g));

  // Listing follows the correction.
  EXPECT_TRUE(ListAllMedia(client_, t.token(), "end_user=first").empty());
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "end_user=second")), std::vector<std::string>{id});
  EXPECT_TRUE(ListAllMedia(client_, t.token(), "tag=a").empty());
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token(), "tag=y")), std::vector<std::string>{id});

  // The content still decrypts after the key moved to the new end user.
  Response content = client_.Get(path + "/content", BearerAuth(t.token()));
  ASSERT_EQ(content.status, 200) << content.Describe();
  EXPECT_EQ(Sha256Hex(content.body), Str(m, "sha256"));

  // Tags can be cleared.
  Response p3 = client_.Patch(path, json::object{{"tags", json::array{}}}, BearerAuth(t.token()));
  ASSERT_EQ(p3.status, 200) << p3.Describe();
  EXPECT_TRUE(Arr(p3.Json(), "tags").empty());

  // Refused patches change nothing.
  LETHE_EXPECT_PROBLEM(client_.Patch(path, json::object{{"kind", "audio"}}, BearerAuth(t.token())),
                       400, "unknown-field");
  LETHE_EXPECT_PROBLEM(
      client_.Patch(path, json::object{{"expiration_days", 9}}, BearerAuth(t.token())), 400, "");
  LETHE_EXPECT_PROBLEM(client_.Patch(path, json::object{{"title", 5}}, BearerAuth(t.token())), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(
      client_.Patch(path, json::object{{"title", std::string(501, 'x')}}, BearerAuth(t.token())),
      400, "invalid-field");
  LETHE_EXPECT_PROBLEM(client_.Request("PATCH", path, "not json", BearerAuth(t.token())), 400,
                       "invalid-json");
  Response after = client_.Get(path, BearerAuth(t.token()));
  EXPECT_EQ(Str(after.Json(), "title"), "Final cut");
  EXPECT_EQ(Str(after.Json(), "content_type"), "video/mp4");
  LETHE_EXPECT_PROBLEM(client_.Patch("/v1/media/med_doesnotexist", json::object{{"title", "x"}},
                                     BearerAuth(t.token())),
                       404, "not-found");
}

// USE-2: delete removes the record and the stored (encrypted) blob file.
TEST_F(MediaApiTest, DeleteRemovesRecordAndBlob_USE2) {
  Tenant t = NewTenant(client_, "media-delete");
  ASSERT_FALSE(t.token().empty());
  std::vector<std::string> before = BlobFiles(*server_);
  json::value keep = Upload(t.token(), "png", "image/png", "title=keep");
  json::value m = Upload(t.token(), "mp4", "video/mp4", "title=doomed");
  ASSERT_FALSE(m.is_null() || keep.is_null());
  const std::string id = Str(m, "id");
  std::vector<std::string> after = BlobFiles(*server_);
  ASSERT_EQ(after.size(), before.size() + 2);
  std::vector<std::string> added;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(added));
  ASSERT_EQ(added.size(), 2u);
  // The doomed media's blob is the one of its sealed size.
  const int64_t sealed = static_cast<int64_t>(ExpectedSealedSize(Sample("mp4").size()));
  std::string blob;
  for (const auto& f : added) {
    if (FileSize(f) == sealed) blob = f;
  }
  ASSERT_FALSE(blob.empty()) << "no new blob of " << sealed << " bytes";
  // Layout: media/blobs/<2 hex>/<blob id>.
  std::string rel = blob.substr((server_->data_dir() + "/media/blobs/").size());
  ASSERT_EQ(rel.size() > 3 && rel[2] == '/', true) << rel;

  Response del = client_.Delete("/v1/media/" + id, BearerAuth(t.token()));
  EXPECT_EQ(del.status, 202) << del.Describe();
  // The receipt names the media only by keyed hash; its key is already gone.
  EXPECT_EQ(Str(del.Json(), "scope"), "media");
  EXPECT_EQ(Str(del.Json(), "cause"), "request");
  EXPECT_EQ(del.body.find(id), std::string::npos) << del.body;
  EXPECT_FALSE(del.Json().as_object().at("keys_destroyed_at").is_null());
  EXPECT_EQ(del.Header("location"), "/v1/erasures/" + Str(del.Json(), "id"));
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + id, BearerAuth(t.token())), 404, "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + id + "/content", BearerAuth(t.token())), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/media/" + id + "/links", "", BearerAuth(t.token())), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/media/" + id, BearerAuth(t.token())), 404, "not-found");
  EXPECT_EQ(FileSize(blob), -1) << "blob file still present: " << blob;
  EXPECT_EQ(BlobFiles(*server_).size(), before.size() + 1);
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token())), std::vector<std::string>{Str(keep, "id")});
  // The other media is untouched.
  Response k = client_.Get("/v1/media/" + Str(keep, "id") + "/content", BearerAuth(t.token()));
  EXPECT_EQ(k.status, 200);
  EXPECT_EQ(Sha256Hex(k.body), Str(keep, "sha256"));
}

// USE-2, USE-3: media is private to the account that stored it. Another
// account (of another customer, or of the same customer) sees 404 for
// everything, and its attempts change nothing.
TEST_F(MediaApiTest, CrossAccountIsolation_USE2_USE3) {
  Tenant a = NewTenant(client_, "media-iso-a");
  Tenant b = NewTenant(client_, "media-iso-b");
  ASSERT_FALSE(a.token().empty() || b.token().empty());
  AccountInfo a2 = CreateAccount(client_, a.session, "second app of A", "eu");
  ASSERT_FALSE(a2.api_token.empty());
  json::value m = Upload(a.token(), "mp4", "video/mp4", "end_user=shared&title=Private&tags=t");
  json::value mb = Upload(b.token(), "png", "image/png", "end_user=shared&tags=t");
  ASSERT_FALSE(m.is_null() || mb.is_null());
  const std::string id = Str(m, "id");
  const std::string path = "/v1/media/" + id;

  for (const std::string& intruder : {b.token(), a2.api_token}) {
    SCOPED_TRACE(intruder == b.token() ? "other customer" : "same customer, other account");
    Headers h = BearerAuth(intruder);
    LETHE_EXPECT_PROBLEM(client_.Get(path, h), 404, "not-found");
    LETHE_EXPECT_PROBLEM(client_.Get(path + "/content", h), 404, "not-found");
    Headers range = h;
    range["Range"] = "bytes=0-9";
    LETHE_EXPECT_PROBLEM(client_.Get(path + "/content", range), 404, "not-found");
    EXPECT_EQ(client_.Request("HEAD", path + "/content", "", h).status, 404);
    LETHE_EXPECT_PROBLEM(client_.Patch(path, json::object{{"title", "pwned"}}, h), 404,
                         "not-found");
    LETHE_EXPECT_PROBLEM(client_.Delete(path, h), 404, "not-found");
    LETHE_EXPECT_PROBLEM(client_.Post(path + "/links", "", h), 404, "not-found");
    LETHE_EXPECT_PROBLEM(client_.Post(path + "/links", json::object{{"expires_in", 60}}, h), 404,
                         "not-found");
    for (const char* q : {"", "end_user=shared", "tag=t", "kind=video"}) {
      std::vector<std::string> seen = Ids(ListAllMedia(client_, intruder, q));
      EXPECT_EQ(std::count(seen.begin(), seen.end(), id), 0) << "listed with " << q;
    }
  }
  // B sees exactly its own.
  EXPECT_EQ(Ids(ListAllMedia(client_, b.token())), std::vector<std::string>{Str(mb, "id")});
  EXPECT_TRUE(ListAllMedia(client_, a2.api_token).empty());
  // A's media is intact.
  Response g = client_.Get(path, BearerAuth(a.token()));
  ASSERT_EQ(g.status, 200) << g.Describe();
  EXPECT_EQ(Str(g.Json(), "title"), "Private");
  Response c = client_.Get(path + "/content", BearerAuth(a.token()));
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(Sha256Hex(c.body), Str(m, "sha256"));
  EXPECT_EQ(Ids(ListAllMedia(client_, a.token())), std::vector<std::string>{id});
}

// No credential, a malformed one or a wrong one: 401 on every media route,
// and nothing stored.
TEST_F(MediaApiTest, UnauthenticatedIs401) {
  Tenant t = NewTenant(client_, "media-401");
  ASSERT_FALSE(t.token().empty());
  json::value m = Upload(t.token(), "png", "image/png");
  ASSERT_FALSE(m.is_null());
  const std::string path = "/v1/media/" + Str(m, "id");
  const size_t blobs_before = BlobFiles(*server_).size();
  std::vector<Headers> bad = {
      {{"Authorization", ""}},
      {{"Authorization", "Bearer "}},
      {{"Authorization", "Bearer not-a-token"}},
      {{"Authorization", BearerHeader(t.token() + "x")}},
      {{"Authorization", BearerHeader(t.session)}},  // a customer session is not a data credential
      {{"Authorization", BasicHeader(t.account.id, t.token())}},
      {{"Authorization", "Digest abc"}},
  };
  for (const Headers& h : bad) {
    SCOPED_TRACE("Authorization: " + h.begin()->second.substr(0, 30));
    Headers up = h;
    up["Content-Type"] = "image/png";
    LETHE_EXPECT_PROBLEM(client_.Request("POST", "/v1/media", Sample("png"), up), 401,
                         "unauthenticated");
    LETHE_EXPECT_PROBLEM(client_.Get("/v1/media", h), 401, "unauthenticated");
    LETHE_EXPECT_PROBLEM(client_.Get(path, h), 401, "unauthenticated");
    LETHE_EXPECT_PROBLEM(client_.Get(path + "/content", h), 401, "unauthenticated");
    LETHE_EXPECT_PROBLEM(client_.Patch(path, json::object{{"title", "x"}}, h), 401,
                         "unauthenticated");
    LETHE_EXPECT_PROBLEM(client_.Delete(path, h), 401, "unauthenticated");
    LETHE_EXPECT_PROBLEM(client_.Post(path + "/links", "", h), 401, "unauthenticated");
    // An unknown id is 401 too, not 404: nothing is revealed before auth.
    LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/med_nope", h), 401, "unauthenticated");
  }
  EXPECT_EQ(BlobFiles(*server_).size(), blobs_before);
  Response still = client_.Get(path, BearerAuth(t.token()));
  EXPECT_EQ(still.status, 200) << still.Describe();
  EXPECT_EQ(Ids(ListAllMedia(client_, t.token())), std::vector<std::string>{Str(m, "id")});
}

}  // namespace
}  // namespace lethe::e2e

namespace lethe::e2e {
namespace {

// Found in review: text that skips the JSON parser (query, header, form)
// must still be UTF-8, or listings would stop being valid JSON.
TEST_F(MediaApiTest, NonUtf8MetadataIs400) {
  Tenant t = NewTenant(client_, "media-utf8");
  Headers h{{"Authorization", BearerHeader(t.token())}, {"Content-Type", "image/png"}};
  LETHE_EXPECT_PROBLEM(client_.Request("POST", "/v1/media?title=%FF%FE", Sample("png"), h), 400,
                       "invalid-field");
  LETHE_EXPECT_PROBLEM(client_.Request("POST", "/v1/media?end_user=%C0%80", Sample("png"), h), 400,
                       "invalid-field");
  Response list = client_.Get("/v1/media", {{"Authorization", BearerHeader(t.token())}});
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_TRUE(list.Json().at("media").as_array().empty());
  Response usage = client_.Get("/v1/usage", {{"Authorization", BearerHeader(t.token())}});
  ASSERT_EQ(usage.status, 200) << usage.Describe();
  EXPECT_FALSE(usage.Json().at("events").as_array().empty());  // parses: still valid JSON
}

// Found in review: a huge expires_in overflowed a multiplication.
TEST_F(MediaApiTest, LinkLifetimeOutOfRangeIs400) {
  Tenant t = NewTenant(client_, "media-link-range");
  json::value m = Upload(t.token(), "png", "image/png");
  ASSERT_FALSE(m.is_null());
  Headers h{{"Authorization", BearerHeader(t.token())}, {"Content-Type", "application/json"}};
  const std::string path = "/v1/media/" + Str(m, "id") + "/links";
  for (const char* body : {R"({"expires_in":9223372036854776})", R"({"expires_in":0})",
                           R"({"expires_in":86401})", R"({"expires_in":-5})"}) {
    LETHE_EXPECT_PROBLEM(client_.Request("POST", path, body, h), 400, "invalid-field") << body;
  }
  EXPECT_EQ(client_.Request("POST", path, R"({"expires_in":60})", h).status, 201);
  EXPECT_EQ(client_.Get("/healthz").status, 200);
}

}  // namespace
}  // namespace lethe::e2e
