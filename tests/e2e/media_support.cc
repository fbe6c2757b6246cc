#include "media_support.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lethe::e2e {
namespace {

namespace fs = std::filesystem;

std::string Hex(const unsigned char* p, size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

}  // namespace

std::string ToolPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    if (colon == std::string::npos) colon = p.size();
    std::string candidate = p.substr(start, colon - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return "/usr/bin/" + name;
}

namespace {

struct TransferState {
  const StreamRequest* req;
  StreamResult* result;
  Sha256Stream* sha;
};

size_t OnBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* st = static_cast<TransferState*>(userdata);
  size_t n = size * nmemb;
  st->sha->Update(ptr, n);
  st->result->body_bytes += n;
  if (st->result->body.size() < 65536) {
    st->result->body.append(ptr, std::min(n, 65536 - st->result->body.size()));
  }
  if (st->req->consumer) st->req->consumer(ptr, n);
  return n;
}

size_t OnRead(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* st = static_cast<TransferState*>(userdata);
  return st->req->producer(buffer, size * nitems);
}

}  // namespace

uint64_t ExpectedSealedSize(uint64_t plain) {
  uint64_t chunks = plain == 0 ? 1 : (plain + kMediaChunkPlain - 1) / kMediaChunkPlain;
  return plain + chunks * 16;
}

// ---------------------------------------------------------------------------

ScratchDir::ScratchDir() {
  char tmpl[] = "/tmp/lethe-media-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    return;
  }
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  const char* keep = std::getenv("LETHE_E2E_KEEP");
  if (path_.empty()) return;
  if (keep != nullptr && *keep != '\0' && *keep != '0') {
    std::fprintf(stderr, "[e2e] kept scratch dir %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

// ---------------------------------------------------------------------------

Sha256Stream::Sha256Stream() {
  auto* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  ctx_ = ctx;
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::Update(const void* data, size_t n) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, n);
}

std::string Sha256Stream::HexFinal() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  return Hex(md, len);
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256Stream s;
  s.Update(bytes.data(), bytes.size());
  return s.HexFinal();
}

std::string Sha256FileHex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  Sha256Stream s;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    s.Update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return s.HexFinal();
}

bool WriteFileBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? -1 : static_cast<int64_t>(n);
}

// ---------------------------------------------------------------------------

bool Ffmpeg(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ToolPath("ffmpeg"), "-hide_banner", "-nostdin",
                                   "-loglevel",        "error",        "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunCommand(argv, std::chrono::seconds(120));
  if (r.exit_code != 0) {
    std::string cmd;
    for (auto& a : argv) cmd += a + " ";
    ADD_FAILURE() << "ffmpeg failed (exit " << r.exit_code << "): " << cmd << "\n" << r.output;
    return false;
  }
  return true;
}

std::string MakeMedia(const std::string& dir, const std::string& kind, double seconds) {
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f", seconds);
  const std::string video = "testsrc=size=160x120:rate=25:duration=" + std::string(dur);
  const std::string audio = "sine=frequency=440:sample_rate=44100:duration=" + std::string(dur);
  std::string out =
      dir + "/sample_" + kind + "_" + std::to_string(static_cast<int>(seconds * 1000));
  std::vector<std::string> args;
  if (kind == "mp4") {
    out += ".mp4";
    args = {"-f",       "lavfi",   "-i",      video,     "-f",        "lavfi", "-i",
            audio,      "-c:v",    "libx264", "-preset", "ultrafast", "-g",    "25",
            "-pix_fmt", "yuv420p", "-c:a",    "aac",     "-shortest", out};
  } else if (kind == "webm") {
    out += ".webm";
    args = {"-f", "lavfi", "-i",   video,       "-f",        "lavfi",
            "-i", audio,   "-c:v", "libvpx",    "-deadline", "realtime",
            "-g", "25",    "-c:a", "libvorbis", "-shortest", out};
  } else if (kind == "ogg") {
    out += ".ogg";
    args = {"-f", "lavfi", "-i", audio, "-c:a", "libvorbis", out};
  } else if (kind == "mp3") {
    out += ".mp3";
    args = {"-f", "lavfi", "-i", audio, "-c:a", "libmp3lame", "-b:a", "64k", out};
  } else if (kind == "wav") {
    out += ".wav";
    args = {"-f", "lavfi", "-i", audio, "-c:a", "pcm_s16le", out};
  } else if (kind == "flac") {
    out += ".flac";
    args = {"-f", "lavfi", "-i", audio, "-c:a", "flac", out};
  } else if (kind == "jpeg") {
    out += ".jpg";
    args = {"-f", "lavfi", "-i", "color=blue:s=16x16", "-frames:v", "1", out};
  } else if (kind == "png") {
    out += ".png";
    args = {"-f", "lavfi", "-i", "color=red:s=16x16", "-frames:v", "1", out};
  } else if (kind == "gif") {
    out += ".gif";
    args = {"-f", "lavfi", "-i", "color=green:s=16x16", "-frames:v", "1", out};
  } else if (kind == "webp") {
    out += ".webp";
    args = {"-f", "lavfi", "-i", "color=yellow:s=16x16", "-frames:v", "1", "-c:v", "libwebp", out};
  } else {
    ADD_FAILURE() << "MakeMedia: unknown kind " << kind;
    return "";
  }
  if (!Ffmpeg(args)) return "";
  return out;
}

const std::string& SamplePng() {
  static const std::string bytes = [] {
    ScratchDir scratch;
    return ReadFileBytes(MakeMedia(scratch.path(), "png"));
  }();
  return bytes;
}

// ---------------------------------------------------------------------------

std::vector<std::string> ListFilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code ec2;
    if (it->is_regular_file(ec2)) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool IsArtifactBlob(const std::string& path) {
  for (const std::string suffix : {"-poster", "-transcript", "-web"}) {
    if (path.size() > suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> BlobFiles(const ServerProcess& server) {
  std::vector<std::string> out;
  for (std::string& f : ListFilesUnder(server.data_dir() + "/media/blobs")) {
    if (!IsArtifactBlob(f)) out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> ArtifactBlobFiles(const ServerProcess& server, const std::string& kind) {
  std::vector<std::string> out;
  for (std::string& f : ListFilesUnder(server.data_dir() + "/media/blobs")) {
    if (f.size() > kind.size() + 1 &&
        f.compare(f.size() - kind.size() - 1, std::string::npos, "-" + kind) == 0) {
      out.push_back(std::move(f));
    }
  }
  return out;
}

std::vector<std::string> IncomingFiles(const ServerProcess& server) {
  return ListFilesUnder(server.data_dir() + "/media/incoming");
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Tenant NewTenant(HttpClient& client, const std::string& label) {
  Tenant t;
  t.session = SignUp(client, Unique(label) + "@example.com");
  if (t.session.empty()) return t;
  t.account = CreateAccount(client, t.session, label + " app", "us");
  return t;
}

void TenantServerTest::Start(std::vector<std::string> args, const std::string& label) {
  server_ = std::make_unique<ServerProcess>(std::move(args));
  ASSERT_TRUE(server_->ok()) << "server did not start";
  client_.set_base_url(server_->base_url());
  tenant_ = NewTenant(client_, label);
  ASSERT_FALSE(tenant_.token().empty());
}

void TenantServerTest::TearDown() {
  if (HasFailure() && server_) server_->DumpLogs();
}

Headers TenantServerTest::Auth() const { return BearerAuth(tenant_.token()); }

std::string TenantServerTest::Upload(const std::string& path, const std::string& type,
                                     const std::string& query) {
  Response r = UploadBytes(client_, tenant_.token(), ReadFileBytes(path), type, query);
  EXPECT_EQ(r.status, 201) << r.Describe();
  return r.status == 201 ? Str(r.Json(), "id") : "";
}

void RestrictEndUser(HttpClient& client, const Tenant& tenant, const std::string& end_user) {
  Response req =
      client.Post("/v1/privacy-requests",
                  boost::json::value(boost::json::object{{"type", "restriction"},
                                                         {"jurisdiction", "gdpr"},
                                                         {"account_id", tenant.account.id},
                                                         {"end_user", end_user},
                                                         {"attested", true}}),
                  BearerAuth(tenant.session));
  ASSERT_EQ(req.status, 201) << req.Describe();
  Response done = client.Post("/v1/privacy-requests/" + Str(req.Json(), "id") + "/fulfil", "",
                              BearerAuth(tenant.session));
  ASSERT_EQ(done.status, 200) << done.Describe();
}

Headers BearerAuth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

Response UploadBytes(HttpClient& client, const std::string& token, const std::string& bytes,
                     const std::string& content_type, const std::string& query,
                     const RequestOptions& options) {
  Headers h = BearerAuth(token);
  h["Content-Type"] = content_type;  // "" removes it
  RequestOptions o = options;
  o.no_default_content_type = true;
  return client.Request("POST", "/v1/media" + (query.empty() ? "" : "?" + query), bytes, h, o);
}

// ---------------------------------------------------------------------------

boost::json::value StreamResult::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) {
    ADD_FAILURE() << "response body is not JSON (" << ec.message() << "): " << Describe();
    return nullptr;
  }
  return v;
}

std::string StreamResult::Describe() const {
  std::ostringstream os;
  os << "[HTTP " << status;
  if (!error.empty()) os << " curl error: " << error;
  os << " body bytes: " << body_bytes;
  auto ct = headers.find("content-type");
  if (ct != headers.end()) {
    os << " content-type: " << ct->second;
    if (ct->second.find("json") != std::string::npos) {
      os << " body: " << body.substr(0, 2000);
    }
  }
  os << "]";
  return os.str();
}

StreamResult StreamTransfer(const StreamRequest& req) {
  StreamResult result;
  Sha256Stream sha;
  TransferState st{&req, &result, &sha};
  CURL* c = curl_easy_init();
  if (c == nullptr) {
    result.error = "curl_easy_init failed";
    return result;
  }
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, req.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, CurlHeaderLine);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &result.headers);
  curl_slist* list = nullptr;
  if (req.producer) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, &st);
    if (req.content_length >= 0) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.content_length));
    } else {
      list = curl_slist_append(list, "Transfer-Encoding: chunked");
    }
    if (req.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  for (const auto& [name, value] : req.headers) {
    list = curl_slist_append(list,
                             value.empty() ? (name + ":").c_str() : (name + ": " + value).c_str());
  }
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) result.error = curl_easy_strerror(rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  result.body_sha256 = sha.HexFinal();
  return result;
}

StreamResult UploadFile(const std::string& base_url, const std::string& token,
                        const std::string& path, const std::string& content_type,
                        const std::string& query) {
  StreamResult fail;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    fail.error = "cannot open " + path;
    ADD_FAILURE() << fail.error;
    return fail;
  }
  StreamRequest req;
  req.method = "POST";
  req.url = base_url + "/v1/media" + (query.empty() ? "" : "?" + query);
  req.headers = BearerAuth(token);
  req.headers["Content-Type"] = content_type;
  req.content_length = FileSize(path);
  req.producer = [f](char* buf, size_t cap) { return std::fread(buf, 1, cap, f); };
  StreamResult r = StreamTransfer(req);
  std::fclose(f);
  return r;
}

StreamResult DownloadHashed(const std::string& url, const Headers& headers) {
  StreamRequest req;
  req.url = url;
  req.headers = headers;
  return StreamTransfer(req);
}

// ---------------------------------------------------------------------------

PatternStream::PatternStream(uint64_t total, uint64_t seed, std::string prefix)
    : total_(total), state_(seed * 0x9E3779B97F4A7C15ULL + 1), prefix_(std::move(prefix)) {}

size_t PatternStream::Read(char* buf, size_t cap) {
  size_t n = static_cast<size_t>(std::min<uint64_t>(cap, total_ - pos_));
  for (size_t i = 0; i < n; ++i) {
    uint64_t at = pos_ + i;
    if (at < prefix_.size()) {
      buf[i] = prefix_[at];
      continue;
    }
    // One xorshift step per 8 bytes.
    if ((at - prefix_.size()) % 8 == 0) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
    }
    buf[i] = static_cast<char>(state_ >> (8 * ((at - prefix_.size()) % 8)));
  }
  pos_ += n;
  return n;
}

std::string PatternBytes(uint64_t total, uint64_t seed, const std::string& prefix) {
  std::string out(total, '\0');
  PatternStream s(total, seed, prefix);
  size_t got = 0;
  while (got < total) got += s.Read(out.data() + got, total - got);
  return out;
}

// Not just an 'ftyp' box any more: the server probes uploads (issue 14),
// so this is the head of a real MP4 (ftyp, moov with one H.264 track of
// one 16x16 frame, then an 'mdat' box running to the end of the file),
// under 1 KiB. Any bytes appended (at least 1 KiB, where the frame's sample
// lies) make a file that sniffs and demuxes as MP4; it carries no tags, so
// scrubbing leaves it byte for byte.
std::string FtypHeader() {
  // ffmpeg's own file (one 16x16 frame, moov first), cut where its 'mdat'
  // box starts; that box is given size 0 ("to the end of the file"), so
  // whatever follows is its payload and the whole still demuxes.
  static const std::string header = [] {
    ScratchDir scratch;
    const std::string f = scratch / "header.mp4";
    if (!Ffmpeg({"-f", "lavfi", "-i", "color=c=gray:size=16x16:rate=25", "-frames:v", "1", "-c:v",
                 "libx264", "-preset", "ultrafast", "-map_metadata", "-1", "-fflags", "+bitexact",
                 "-flags", "+bitexact", "-movflags", "+faststart", f})) {
      return std::string();
    }
    const std::string bytes = ReadFileBytes(f);
    size_t at = 0;
    while (at + 8 <= bytes.size()) {
      const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
      const size_t size = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
      if (bytes.compare(at + 4, 4, "mdat") == 0) {
        return bytes.substr(0, at) + std::string("\0\0\0\0mdat", 8);
      }
      if (size < 8) break;
      at += size;
    }
    ADD_FAILURE() << "no mdat box in ffmpeg's MP4";
    return std::string();
  }();
  return header;
}

int64_t ProcStatusKiB(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::atoll(line.c_str() + field.size() + 1);
    }
  }
  return -1;
}

bool ResetPeakRss(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket: " << std::strerror(errno);
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "connect: " << std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::vector<boost::json::value> ListAllMedia(HttpClient& client, const std::string& token,
                                             const std::string& query, int limit) {
  std::vector<boost::json::value> out;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    std::string path = "/v1/media?limit=" + std::to_string(limit);
    if (!query.empty()) path += "&" + query;
    if (!cursor.empty()) path += "&cursor=" + UrlEncode(cursor);
    Response r = client.Get(path, BearerAuth(token));
    EXPECT_EQ(r.status, 200) << path << ": " << r.Describe();
    if (r.status != 200) break;
    boost::json::value v = r.Json();
    for (const auto& m : Arr(v, "media")) out.push_back(m);
    const boost::json::value* next = Field(v, "next_cursor");
    if (next == nullptr || next->is_null()) break;
    cursor = std::string(next->as_string());
  }
  return out;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace lethe::e2e
