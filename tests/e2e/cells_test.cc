// Cells per region (issue 13, XFR-1, XFR-2): one process holding a `us`
// and an `eu` cell (app/region_cells.h), each on its own stores, driven
// over real HTTP. Every store of each cell is wrapped by a counting
// interposer (src/testing/), so the test sees each call it receives: one
// region's whole account life (sign-up, account, upload, list, read,
// delete) must leave the other region's metadata, key and blob stores
// without a single call. The clock stands still, so no background sweep
// of the idle cell runs while the test counts.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "app/region_cells.h"
#include "media_support.h"
#include "testing/faulty_blob_store.h"
#include "testing/faulty_key_store.h"
#include "testing/interposed_metadata_store.h"

namespace lethe::e2e {
namespace {

// Every call one cell's stores received.
struct StoreCalls {
  std::atomic<uint64_t> metadata{0};
  FaultyBlobStore* blobs = nullptr;  // owned by the cell's server
  FaultyKeyStore* keys = nullptr;

  uint64_t BlobCalls() const {
    uint64_t n = 0;
    for (size_t op = 0; op < static_cast<size_t>(BlobOp::kCount); ++op) {
      n += blobs->calls(static_cast<BlobOp>(op));
    }
    return n;
  }
  uint64_t KeyCalls() const {
    uint64_t n = 0;
    for (size_t op = 0; op < static_cast<size_t>(KeyOp::kCount); ++op) {
      n += keys->calls(static_cast<KeyOp>(op));
    }
    return n;
  }
  struct Snapshot {
    uint64_t metadata, blobs, keys;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot Now() const { return {metadata.load(), BlobCalls(), KeyCalls()}; }
};

std::ostream& operator<<(std::ostream& os, const StoreCalls::Snapshot& s) {
  return os << "{metadata " << s.metadata << ", blobs " << s.blobs << ", keys " << s.keys << "}";
}

class CellsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lethe-cells-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    ServeConfig base;
    base.handle_signals = false;
    base.data_dir = root_ + "/data";
    base.threads = 2;
    base.backup_every_hours = 0;
    base.media_worker = LETHE_BINARY;  // this test binary has no `worker` command
    ASSERT_EQ(::mkdir(base.data_dir.c_str(), 0700), 0);
    std::vector<CellSpec> cells(2);
    cells[0].region = "us";
    cells[1].region = "eu";
    for (CellSpec& c : cells) c.listen = "127.0.0.1:0";
    auto seams = [this](const std::string& region) {
      StoreCalls& calls = region == "eu" ? eu_ : us_;
      PortSeams s;
      s.wrap_metadata = [&calls](std::unique_ptr<MetadataStore> base) {
        return std::make_unique<InterposedMetadataStore>(std::move(base), [&calls](const char*) {
          ++calls.metadata;
          return Status::Ok();
        });
      };
      s.wrap_blobs = [&calls](std::unique_ptr<BlobStore> base) {
        auto counted = std::make_unique<FaultyBlobStore>(std::move(base));
        calls.blobs = counted.get();
        return counted;
      };
      s.wrap_keys = [&calls](std::unique_ptr<KeyStore> base) {
        auto counted = std::make_unique<FaultyKeyStore>(std::move(base));
        calls.keys = counted.get();
        return counted;
      };
      return s;
    };
    auto started = RegionCells::Start(base, cells, clock_, random_, seams);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    cells_ = std::move(*started);
    runner_ = std::thread([c = cells_.get()] { c->Run(); });
    us_client_.set_base_url("http://" + cells_->endpoint("us"));
    eu_client_.set_base_url("http://" + cells_->endpoint("eu"));
    // Each cell's background tasks run once at start; then, the clock
    // standing still, nothing runs until a request wakes it.
    ASSERT_TRUE(Settled(us_));
    ASSERT_TRUE(Settled(eu_));
  }

  void TearDown() override {
    if (cells_) cells_->Stop();
    if (runner_.joinable()) runner_.join();
    cells_.reset();
    std::error_code ec;
    if (!root_.empty() && std::getenv("LETHE_E2E_KEEP") == nullptr) {
      std::filesystem::remove_all(root_, ec);
    }
  }

  // Waits until `calls` has not moved for 500 ms (at most 10 s).
  static bool Settled(const StoreCalls& calls) {
    auto last = calls.Now();
    int quiet = 0;
    for (int i = 0; i < 200 && quiet < 10; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      auto now = calls.Now();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
    return quiet >= 10;
  }

  static uint64_t Removes(const StoreCalls& calls) {
    return calls.blobs->calls(BlobOp::kRemove) + calls.blobs->calls(BlobOp::kRemoveMany);
  }

  // A customer's whole life with one account of `region`, through
  // `client`: sign-up, account, upload, list, read, delete (and the purge
  // on `own`, the cell's stores). Checks every answer.
  void AccountLife(HttpClient& client, const std::string& region, const StoreCalls& own) {
    std::string session = SignUp(client, Unique("cell-" + region) + "@example.com");
    ASSERT_FALSE(session.empty());
    AccountInfo account = CreateAccount(client, session, region + " app", region);
    ASSERT_FALSE(account.api_token.empty());
    EXPECT_EQ(Str(account.body, "region"), region);
    const std::string body = SamplePng() + PatternBytes(300 << 10, 3);
    Response up = UploadBytes(client, account.api_token, body, "image/png");
    ASSERT_EQ(up.status, 201) << up.Describe();
    std::string id = Str(up.Json(), "id");
    EXPECT_EQ(ListAllMedia(client, account.api_token).size(), 1u);
    Response back = client.Get("/v1/media/" + id + "/content", BearerAuth(account.api_token));
    ASSERT_EQ(back.status, 200) << back.Describe();
    EXPECT_TRUE(back.body == body);
    uint64_t removed = Removes(own);
    Response gone = client.Delete("/v1/media/" + id, BearerAuth(account.api_token));
    EXPECT_EQ(gone.status, 202) << gone.Describe();  // keys destroyed, purge queued
    EXPECT_TRUE(ListAllMedia(client, account.api_token).empty());
    // The purge, on the cell's own runner, removes the blob from its store.
    EXPECT_TRUE(WaitFor([&] { return Removes(own) > removed; }));
  }

  std::string root_;
  ManualClock clock_{SystemClock().NowMillis()};
  SystemRandom random_;
  StoreCalls us_, eu_;
  std::unique_ptr<RegionCells> cells_;
  std::thread runner_;
  HttpClient us_client_, eu_client_;
};

TEST_F(CellsTest, AnEuAccountsWholeLifeTouchesNoUsStore_XFR1) {
  auto us_before = us_.Now();
  auto eu_before = eu_.Now();
  AccountLife(eu_client_, "eu", eu_);
  ASSERT_TRUE(Settled(eu_));  // the purge after the delete has run
  auto eu_after = eu_.Now();
  // The counters do count: the eu stores saw the whole life...
  EXPECT_GT(eu_after.metadata, eu_before.metadata);
  EXPECT_GT(eu_after.blobs, eu_before.blobs);
  EXPECT_GT(eu_after.keys, eu_before.keys);
  // ...and the us stores not one call.
  EXPECT_EQ(us_.Now(), us_before) << "the us stores were touched for an eu account";
}

TEST_F(CellsTest, AUsAccountsWholeLifeTouchesNoEuStore_XFR1) {
  auto us_before = us_.Now();
  auto eu_before = eu_.Now();
  AccountLife(us_client_, "us", us_);
  ASSERT_TRUE(Settled(us_));
  auto us_after = us_.Now();
  EXPECT_GT(us_after.metadata, us_before.metadata);
  EXPECT_GT(us_after.blobs, us_before.blobs);
  EXPECT_GT(us_after.keys, us_before.keys);
  EXPECT_EQ(eu_.Now(), eu_before) << "the eu stores were touched for a us account";
}

// An account of the other region would put that region's data in this
// cell's stores: refused, nothing written, the other cell untouched.
TEST_F(CellsTest, AnAccountOfTheOtherRegionIsRefusedAndWritesNothing_XFR2) {
  std::string session = SignUp(eu_client_, Unique("cell-x") + "@example.com");
  ASSERT_FALSE(session.empty());
  auto us_before = us_.Now();
  Response r = eu_client_.Post(
      "/v1/accounts", boost::json::value(boost::json::object{{"name", "x"}, {"region", "us"}}),
      BearerAuth(session));
  EXPECT_EQ(r.status, 412) << r.Describe();
  EXPECT_TRUE(Str(r.Json(), "type").ends_with("/cross-region-refused")) << r.Describe();
  Response list = eu_client_.Get("/v1/accounts", BearerAuth(session));
  ASSERT_EQ(list.status, 200) << list.Describe();
  EXPECT_TRUE(Arr(list.Json(), "accounts").empty()) << list.Describe();
  // The eu account it may have is made as ever.
  EXPECT_FALSE(CreateAccount(eu_client_, session, "eu app", "eu").id.empty());
  EXPECT_EQ(us_.Now(), us_before);
}

// A sign-in at the other region's endpoint finds no one there: the
// customer's login lives in its own cell only.
TEST_F(CellsTest, ACustomerExistsOnlyInTheCellItSignedUpIn_XFR1) {
  std::string email = Unique("cell-login") + "@example.com";
  ASSERT_FALSE(SignUp(eu_client_, email).empty());
  Response r = us_client_.Post("/v1/sessions", boost::json::value(boost::json::object{
                                                   {"email", email}, {"password", kPassword}}));
  EXPECT_EQ(r.status, 401) << r.Describe();
  ASSERT_TRUE(std::filesystem::exists(root_ + "/data/eu/lethe.db"));
  ASSERT_TRUE(std::filesystem::exists(root_ + "/data/us/lethe.db"));
}

// Two ports free right now, one per cell of a `lethe serve` process (the
// harness reads one listening line only, and a cell prints one each).
std::pair<int, int> FreePorts() {
  int fds[2];
  int ports[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    fds[i] = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fds[i], reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fds[i], reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      ports[i] = ntohs(addr.sin_port);
    }
  }
  for (int fd : fds) ::close(fd);
  return {ports[0], ports[1]};
}

int64_t Count(const std::string& db, const std::string& sql) {
  QueryResult q = Sql(db, sql);
  EXPECT_TRUE(q.ok) << q.error;
  return q.ok && !q.rows.empty() && q.rows[0][0] ? std::stoll(*q.rows[0][0]) : -1;
}

// The shipped binary with two --region flags: each region's customer,
// account and media are in that region's files only, and SIGTERM stops
// the whole process cleanly.
TEST(CellsProcessTest, EachRegionsDataIsInItsOwnFilesOnly_XFR1) {
  auto [us_port, eu_port] = FreePorts();
  ASSERT_GT(us_port, 0);
  ASSERT_GT(eu_port, 0);
  ServerProcess server({"--region", "us=listen:127.0.0.1:" + std::to_string(us_port), "--region",
                        "eu=listen:127.0.0.1:" + std::to_string(eu_port)});
  ASSERT_TRUE(server.ok());
  HttpClient us("http://127.0.0.1:" + std::to_string(us_port));
  HttpClient eu("http://127.0.0.1:" + std::to_string(eu_port));
  const std::string eu_email = Unique("eu-file") + "@example.com";
  std::string eu_session = SignUp(eu, eu_email);
  ASSERT_FALSE(eu_session.empty());
  AccountInfo eu_account = CreateAccount(eu, eu_session, "eu app", "eu");
  ASSERT_EQ(UploadBytes(eu, eu_account.api_token, SamplePng(), "image/png").status, 201);
  std::string us_session = SignUp(us, Unique("us-file") + "@example.com");
  ASSERT_FALSE(CreateAccount(us, us_session, "us app", "us").id.empty());

  const std::string eu_db = server.data_dir() + "/eu/lethe.db";
  const std::string us_db = server.data_dir() + "/us/lethe.db";
  EXPECT_EQ(Count(eu_db, "SELECT COUNT(*) FROM customers"), 1);
  EXPECT_EQ(Count(eu_db, "SELECT COUNT(*) FROM accounts WHERE region = 'eu'"), 1);
  EXPECT_EQ(Count(eu_db, "SELECT COUNT(*) FROM accounts WHERE region <> 'eu'"), 0);
  EXPECT_EQ(Count(eu_db, "SELECT COUNT(*) FROM media"), 1);
  EXPECT_EQ(Count(us_db, "SELECT COUNT(*) FROM customers"), 1);
  EXPECT_EQ(Count(us_db, "SELECT COUNT(*) FROM accounts WHERE region <> 'us'"), 0);
  EXPECT_EQ(Count(us_db, "SELECT COUNT(*) FROM media"), 0);
  const std::string by_email = "SELECT COUNT(*) FROM customers WHERE email = '" + eu_email + "'";
  EXPECT_EQ(Count(eu_db, by_email), 1);
  EXPECT_EQ(Count(us_db, by_email), 0);
  EXPECT_EQ(ListFilesUnder(server.data_dir() + "/eu/media/blobs").size(), 1u);
  EXPECT_TRUE(ListFilesUnder(server.data_dir() + "/us/media/blobs").empty());
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace lethe::e2e
