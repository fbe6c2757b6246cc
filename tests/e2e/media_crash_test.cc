// Media ingest under failure and load (USE-2: customer content is either
// stored whole or not at all; SEC-1: nothing half-written lingers on disk):
// clients that vanish mid-upload, a server killed with uploads in flight and
// restarted on the same data, and many concurrent clients.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "media_support.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

std::string PatternSha(uint64_t total, uint64_t seed) {
  PatternStream s(total, seed, FtypHeader());
  Sha256Stream sha;
  std::vector<char> buf(1 << 16);
  for (size_t n; (n = s.Read(buf.data(), buf.size())) > 0;) sha.Update(buf.data(), n);
  return sha.HexFinal();
}

class MediaCrashTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> args = {}) {
    server_ = std::make_unique<ServerProcess>(std::move(args));
    ASSERT_TRUE(server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "media-crash");
    ASSERT_FALSE(tenant_.token().empty());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  // A client that sends the head and part of a body, then disappears.
  void AbandonUpload(bool chunked, bool reset, size_t send_bytes) {
    int fd = ConnectLoopback(server_->port());
    ASSERT_GE(fd, 0);
    std::string head =
        "POST /v1/media?title=abandoned HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer " +
        tenant_.token() + "\r\nContent-Type: video/mp4\r\n";
    head += chunked ? "Transfer-Encoding: chunked\r\n\r\n"
                    : "Content-Length: " + std::to_string(10 << 20) + "\r\n\r\n";
    ASSERT_TRUE(SendAll(fd, head));
    const std::string body = PatternBytes(send_bytes, 77, FtypHeader());
    if (chunked) {
      for (size_t off = 0; off < body.size(); off += 65536) {
        std::string piece = body.substr(off, 65536);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        ASSERT_TRUE(SendAll(fd, size + piece + "\r\n"));
      }
    } else {
      ASSERT_TRUE(SendAll(fd, body));
    }
    // The server has started writing: a temp file exists while the body flows.
    EXPECT_TRUE(WaitFor([&] { return !IncomingFiles(*server_).empty(); }, std::chrono::seconds(5)))
        << "no temp file under media/incoming while the upload is in flight";
    if (reset) {
      linger l{1, 0};  // close with RST
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd);
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

// (a) USE-2: an upload whose client goes away (FIN or RST, sized or
// chunked) leaves no record, no blob and no temp file.
TEST_F(MediaCrashTest, ClientDisconnectMidUploadLeavesNothing_USE2) {
  StartServer();
  struct Case {
    bool chunked, reset;
    const char* what;
  } cases[] = {
      {false, false, "Content-Length 10 MiB, 1 MiB sent, close"},
      {false, true, "Content-Length 10 MiB, 1 MiB sent, reset"},
      {true, false, "chunked, 2 MiB sent, close"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    AbandonUpload(c.chunked, c.reset, c.chunked ? (2 << 20) : (1 << 20));
    EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }, std::chrono::seconds(10)))
        << IncomingFiles(*server_).size() << " temp file(s) left in media/incoming";
    EXPECT_TRUE(BlobFiles(*server_).empty()) << BlobFiles(*server_).size() << " blob(s)";
    EXPECT_TRUE(ListAllMedia(client_, tenant_.token()).empty());
  }
  // A client that sends garbage instead of chunk framing mid-body: 400, and
  // nothing left either.
  {
    std::string head = "POST /v1/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                       tenant_.token() +
                       "\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::string body = PatternBytes(300000, 78, FtypHeader());
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", body.size());
    std::string raw =
        RawExchange(server_->port(), head + size + body + "\r\nzz-not-a-chunk-size\r\n\r\n");
    EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw.substr(0, 300);
    EXPECT_TRUE(WaitFor([&] { return IncomingFiles(*server_).empty(); }));
    EXPECT_TRUE(BlobFiles(*server_).empty());
    EXPECT_TRUE(ListAllMedia(client_, tenant_.token()).empty());
  }
  // The server is fine and still takes uploads.
  const std::string ok = PatternBytes(100000, 5, FtypHeader());
  Response r = UploadBytes(client_, tenant_.token(), ok, "video/mp4");
  ASSERT_EQ(r.status, 201) << r.Describe();
  EXPECT_EQ(ListAllMedia(client_, tenant_.token()).size(), 1u);
  EXPECT_EQ(BlobFiles(*server_).size(), 1u);
  EXPECT_TRUE(server_->Alive());
}

// (b) USE-2, SEC-1: SIGKILL while 8 uploads of 4 MiB are in flight, then a
// restart on the same data dir. Every record has its whole content (sha256
// as recorded), every 201 the clients saw survived, blob files and records
// match one to one, and startup recovery emptied media/incoming.
TEST_F(MediaCrashTest, SigkillDuringConcurrentUploadsRecovers_USE2_SEC1) {
  StartServer();
  constexpr int kUploads = 8;
  constexpr uint64_t kSize = 4 << 20;
  // Two objects committed before the crash.
  std::set<std::string> known_shas;
  std::set<std::string> acknowledged;
  for (int i = 0; i < 2; ++i) {
    std::string bytes = PatternBytes(300000, 100 + i, FtypHeader());
    Response r = UploadBytes(client_, tenant_.token(), bytes, "video/mp4", "title=before");
    ASSERT_EQ(r.status, 201) << r.Describe();
    acknowledged.insert(Str(r.Json(), "id"));
    known_shas.insert(Sha256Hex(bytes));
  }
  for (int i = 0; i < kUploads; ++i) known_shas.insert(PatternSha(kSize, 1000 + i));

  std::atomic<uint64_t> sent{0};
  std::atomic<bool> go{false};
  std::atomic<int> acked{0};
  std::mutex mu;
  std::vector<StreamResult> results(kUploads);
  std::vector<std::thread> threads;
  const std::string base = server_->base_url();
  for (int i = 0; i < kUploads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto stream = std::make_shared<PatternStream>(kSize, 1000 + i, FtypHeader());
      StreamRequest req;
      req.method = "POST";
      req.url = base + "/v1/media?title=inflight" + std::to_string(i);
      req.headers = BearerAuth(tenant_.token());
      req.headers["Content-Type"] = "video/mp4";
      req.content_length = static_cast<int64_t>(kSize);
      req.timeout_seconds = 60;
      req.producer = [&, stream](char* buf, size_t cap) {
        size_t n = stream->Read(buf, std::min<size_t>(cap, 32768));
        sent += n;
        // Two uploads run at full speed and finish before the kill; the
        // others are paced so they are still in flight.
        if (i >= 2) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return n;
      };
      StreamResult r = StreamTransfer(req);
      if (r.status == 201) ++acked;
      std::lock_guard lock(mu);
      results[static_cast<size_t>(i)] = std::move(r);
    });
  }
  go = true;
  const uint64_t half = kUploads * kSize / 2;
  bool reached =
      WaitFor([&] { return sent.load() >= half && acked.load() >= 2; }, std::chrono::seconds(60));
  size_t in_flight = IncomingFiles(*server_).size();
  server_->Kill();
  for (auto& t : threads) t.join();
  ASSERT_TRUE(reached) << "only " << sent.load() << " bytes sent, " << acked.load()
                       << " uploads acknowledged";
  EXPECT_GT(in_flight, 0u) << "no upload was in flight at the kill: the test proves nothing";
  int completed = 0;
  for (const auto& r : results) {
    if (r.status == 201) {
      ++completed;
      acknowledged.insert(Str(r.Json(), "id"));
    }
  }
  EXPECT_LT(completed, kUploads) << "every upload finished before the kill";
  EXPECT_GE(completed, 1) << "the unpaced uploads should have been acknowledged";
  std::fprintf(stderr, "[media-crash] at kill: %zu temp files, %d/%d uploads acknowledged\n",
               in_flight, completed, kUploads);

  ASSERT_TRUE(server_->Restart()) << "restart on the same data dir";
  client_.set_base_url(server_->base_url());
  EXPECT_TRUE(IncomingFiles(*server_).empty())
      << IncomingFiles(*server_).size() << " temp file(s) survived startup recovery";

  std::vector<json::value> listed = ListAllMedia(client_, tenant_.token());
  std::set<std::string> listed_ids;
  for (const auto& m : listed) {
    const std::string id = Str(m, "id");
    listed_ids.insert(id);
    SCOPED_TRACE(id + " " + Str(m, "title"));
    EXPECT_TRUE(known_shas.count(Str(m, "sha256"))) << "a record of bytes nobody uploaded whole";
    StreamResult c = DownloadHashed(server_->base_url() + "/v1/media/" + id + "/content",
                                    BearerAuth(tenant_.token()));
    EXPECT_EQ(c.status, 200) << c.Describe();
    EXPECT_EQ(c.body_sha256, Str(m, "sha256"));
    EXPECT_EQ(static_cast<int64_t>(c.body_bytes), Field(m, "bytes")->to_number<int64_t>());
  }
  for (const auto& id : acknowledged) {
    EXPECT_TRUE(listed_ids.count(id)) << "acknowledged upload " << id << " lost in the crash";
  }
  EXPECT_EQ(BlobFiles(*server_).size(), listed.size())
      << "blob files and records must match one to one";
  EXPECT_LE(listed.size(), static_cast<size_t>(2 + kUploads));
  // The store still works after recovery.
  Response r =
      UploadBytes(client_, tenant_.token(), PatternBytes(70000, 3, FtypHeader()), "video/mp4");
  EXPECT_EQ(r.status, 201) << r.Describe();
}

// Group commit under a crash: many small uploads share WAL and directory
// syncs, and a 201 still means the upload survives. Sixteen clients upload
// small images in a loop until the server is killed mid-stream; every
// acknowledged upload must come back whole after the restart, and nothing
// else may.
TEST_F(MediaCrashTest, SigkillDuringManySmallConcurrentUploadsKeepsEveryAcknowledgedOne) {
  StartServer();
  constexpr int kClients = 16;
  std::mutex mu;
  std::map<std::string, std::string> acked;  // id -> sha256 of what was sent
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  const std::string base = server_->base_url();
  const std::string token = tenant_.token();
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client(base);
      for (int i = 0; !stop.load(); ++i) {
        // A valid PNG with a distinct tail, so every upload has its own hash.
        std::string bytes = SamplePng() + PatternBytes(512 + 64 * (i % 8), c * 100000 + i, "");
        Response r = UploadBytes(client, token, bytes, "image/png", "title=small");
        if (r.status != 201) break;  // the server is gone
        std::lock_guard lock(mu);
        acked[Str(r.Json(), "id")] = Sha256Hex(bytes);
        ++count;
      }
    });
  }
  bool enough = WaitFor([&] { return count.load() >= 200; }, std::chrono::seconds(60));
  server_->Kill();
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(enough) << "only " << count.load() << " uploads acknowledged";
  std::fprintf(stderr, "[media-crash] %zu small uploads acknowledged before the kill\n",
               acked.size());

  ASSERT_TRUE(server_->Restart());
  client_.set_base_url(server_->base_url());
  std::vector<json::value> listed = ListAllMedia(client_, tenant_.token());
  std::map<std::string, std::string> listed_sha;
  for (const auto& m : listed) listed_sha[Str(m, "id")] = Str(m, "sha256");
  for (const auto& [id, sha] : acked) {
    ASSERT_TRUE(listed_sha.count(id)) << "acknowledged upload " << id << " lost in the crash";
    EXPECT_EQ(listed_sha[id], sha);
  }
  // At most one unacknowledged upload per client can have committed.
  EXPECT_LE(listed.size(), acked.size() + kClients);
  EXPECT_EQ(BlobFiles(*server_).size(), listed.size());
  EXPECT_TRUE(IncomingFiles(*server_).empty());
  // Spot-check the bytes of a few acknowledged uploads.
  int checked = 0;
  for (const auto& [id, sha] : acked) {
    if (++checked > 8) break;
    StreamResult c = DownloadHashed(server_->base_url() + "/v1/media/" + id + "/content",
                                    BearerAuth(tenant_.token()));
    EXPECT_EQ(c.status, 200) << c.Describe();
    EXPECT_EQ(c.body_sha256, sha);
  }
}

// Startup recovery on its own: a temp file left in media/incoming and the
// blobs that no record references (what a crash between "blob durable" and
// "record committed", or during a delete, leaves: the blob and its intent
// in blob_intents, written before the first byte) are removed at startup;
// committed media are untouched. Recovery goes by the intents, not by a
// listing of the store: a blob nothing announced is not looked for.
TEST_F(MediaCrashTest, StartupRecoverySweepsTempFilesAndOrphanBlobs_USE2) {
  StartServer();
  const std::string bytes = PatternBytes(200000, 11, FtypHeader());
  Response r = UploadBytes(client_, tenant_.token(), bytes, "video/mp4");
  ASSERT_EQ(r.status, 201) << r.Describe();
  const std::string id = Str(r.Json(), "id");
  std::vector<std::string> blobs = BlobFiles(*server_);
  ASSERT_EQ(blobs.size(), 1u);
  ASSERT_EQ(server_->Stop(), 0);

  const std::string media = server_->data_dir() + "/media";
  const std::string temp = media + "/incoming/blb_leftover0000000000.1234.1";
  // An orphan next to the real blob (same shard directory), and one in a
  // shard of its own.
  const std::string shard = std::filesystem::path(blobs[0]).parent_path().string();
  const std::string orphan1 = shard + "/blb_orphan000000000000" + shard.substr(shard.size() - 2);
  std::filesystem::create_directories(media + "/blobs/zz");
  const std::string orphan2 = media + "/blobs/zz/blb_orphan0000000000zz";
  const std::string stray = media + "/blobs/zz/blb_stray00000000000zz";
  for (const auto& f : {temp, orphan1, orphan2, stray}) {
    ASSERT_TRUE(WriteFileBytes(f, PatternBytes(70000, 12))) << f;
  }
  ASSERT_EQ(BlobFiles(*server_).size(), 4u);
  for (const auto& f : {orphan1, orphan2}) {
    QueryResult q = Sql(server_->db_path(),
                        "INSERT INTO blob_intents (blob_id, created_ms) VALUES ('" +
                            std::filesystem::path(f).filename().string() + "', 1)",
                        true);
    ASSERT_TRUE(q.ok) << q.error;
  }

  ASSERT_TRUE(server_->Restart());
  client_.set_base_url(server_->base_url());
  EXPECT_TRUE(IncomingFiles(*server_).empty()) << "temp file not swept";
  EXPECT_EQ(FileSize(orphan1), -1) << "orphan blob not swept: " << orphan1;
  EXPECT_EQ(FileSize(orphan2), -1) << "orphan blob not swept: " << orphan2;
  EXPECT_GT(FileSize(stray), 0) << "recovery listed the store instead of reading the intents";
  ASSERT_TRUE(std::filesystem::remove(stray));
  EXPECT_EQ(BlobFiles(*server_), blobs) << "the referenced blob must stay";
  QueryResult left = Sql(server_->db_path(), "SELECT COUNT(*) FROM blob_intents");
  ASSERT_TRUE(left.ok) << left.error;
  EXPECT_EQ(left.rows[0][0].value_or(""), "0") << "recovery left intents";
  StreamResult c = DownloadHashed(server_->base_url() + "/v1/media/" + id + "/content",
                                  BearerAuth(tenant_.token()));
  EXPECT_EQ(c.status, 200) << c.Describe();
  EXPECT_EQ(c.body_sha256, Sha256Hex(bytes));
}

// (c) 64 concurrent clients, each uploading its own ~256 KiB file and reading
// it back: every byte where it belongs.
TEST_F(MediaCrashTest, SixtyFourConcurrentClientsRoundTrip) {
  StartServer();
  constexpr int kClients = 64;
  constexpr uint64_t kSize = 256 * 1024 + 123;
  struct Outcome {
    long up_status = 0, down_status = 0;
    std::string id, recorded_sha, downloaded_sha, expected_sha, error;
    uint64_t downloaded_bytes = 0;
  };
  std::vector<Outcome> out(kClients);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  const std::string base = server_->base_url();
  const std::string token = tenant_.token();
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Outcome& o = out[static_cast<size_t>(i)];
      const std::string bytes = PatternBytes(kSize, 5000 + i, FtypHeader());
      o.expected_sha = Sha256Hex(bytes);
      HttpClient c(base);
      ++ready;
      while (ready.load() < kClients) std::this_thread::yield();
      Response up =
          UploadBytes(c, token, bytes, "video/mp4", "end_user=client" + std::to_string(i));
      o.up_status = up.status;
      o.error = up.error;
      if (up.status != 201) return;
      boost::system::error_code ec;
      json::value v = json::parse(up.body, ec);
      if (ec) return;
      o.id = std::string(v.at("id").as_string());
      o.recorded_sha = std::string(v.at("sha256").as_string());
      Response down = c.Get("/v1/media/" + o.id + "/content", BearerAuth(token));
      o.down_status = down.status;
      o.downloaded_bytes = down.body.size();
      o.downloaded_sha = Sha256Hex(down.body);
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (int i = 0; i < kClients; ++i) {
    const Outcome& o = out[static_cast<size_t>(i)];
    SCOPED_TRACE("client " + std::to_string(i));
    EXPECT_EQ(o.up_status, 201) << o.error;
    EXPECT_EQ(o.down_status, 200);
    EXPECT_EQ(o.recorded_sha, o.expected_sha);
    EXPECT_EQ(o.downloaded_sha, o.expected_sha);
    EXPECT_EQ(o.downloaded_bytes, kSize);
    ids.insert(o.id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kClients)) << "ids must be distinct";
  std::vector<json::value> listed = ListAllMedia(client_, token);
  EXPECT_EQ(listed.size(), static_cast<size_t>(kClients));
  for (const auto& m : listed) {
    const std::string eu = Str(m, "end_user");
    int i = std::atoi(eu.c_str() + 6);
    ASSERT_TRUE(i >= 0 && i < kClients) << eu;
    EXPECT_EQ(Str(m, "id"), out[static_cast<size_t>(i)].id) << "end user and media mixed up";
  }
  EXPECT_EQ(BlobFiles(*server_).size(), static_cast<size_t>(kClients));
  EXPECT_TRUE(IncomingFiles(*server_).empty());
}

}  // namespace
}  // namespace lethe::e2e
