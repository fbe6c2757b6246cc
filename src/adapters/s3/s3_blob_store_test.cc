// S3BlobStore beyond the port's contract (blob_store_contract_test.cc runs
// that): how it talks to the store. Against the s3rver that ctest starts,
// behind a proxy that checks every request's SigV4 signature and payload
// hash (tests/s3/sigv4_proxy.mjs), a bucket per test; the request counters
// show paging, multipart and read-ahead. A wrong or rotated key is refused
// clearly and writes nothing. Network failures are checked against sockets
// of our own.
#include "adapters/s3/s3_blob_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "testing/s3_test_env.h"

namespace lethe {
namespace {

std::string Pattern(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::unique_ptr<S3BlobStore> Connect(S3BlobStoreOptions options = {}) {
  auto config = NewTestS3Bucket();
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return nullptr;
  auto store = S3BlobStore::Connect(*config, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

void Put(BlobStore& store, const std::string& id, const std::string& content) {
  auto w = store.Create(id);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Append(Bytes(content)).ok());
  ASSERT_TRUE((*w)->Commit().ok());
}

TEST(S3BlobStoreTest, ListPagesThroughContinuationTokens) {
  S3BlobStoreOptions options;
  options.list_page = 7;
  auto store = Connect(options);
  ASSERT_NE(store, nullptr);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back("blb_page" + std::to_string(100 + i));
    Put(*store, ids.back(), "x");
  }
  uint64_t before = store->stats().lists;
  auto listed = store->List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::sort(listed->begin(), listed->end());
  EXPECT_EQ(*listed, ids);
  EXPECT_EQ(store->stats().lists - before, 3u);  // 7 + 7 + 6
}

TEST(S3BlobStoreTest, SmallBlobIsOnePutLargeOneIsMultipart) {
  auto store = Connect();  // 8 MiB parts
  ASSERT_NE(store, nullptr);
  Put(*store, "blb_small", Pattern(100'000, 1));
  EXPECT_EQ(store->stats().puts, 1u);
  EXPECT_EQ(store->stats().parts, 0u);
  const std::string large = Pattern((17 << 20) + 5, 2);
  auto w = store->Create("blb_large");
  ASSERT_TRUE(w.ok());
  for (size_t at = 0; at < large.size(); at += 1 << 20) {
    ASSERT_TRUE((*w)->Append(Bytes(large.substr(at, 1 << 20))).ok());
  }
  EXPECT_EQ(store->Open("blb_large").status().code(), Status::Code::kNotFound)
      << "visible before Commit";
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_EQ(store->stats().puts, 1u);
  EXPECT_EQ(store->stats().parts, 3u);  // 8 + 8 + 1 MiB and 5 bytes
  auto r = store->Open("blb_large");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ((*r)->size(), large.size());
  std::string back(large.size(), '\0');
  ASSERT_TRUE((*r)->ReadAt(0, {reinterpret_cast<uint8_t*>(back.data()), back.size()}).ok());
  EXPECT_TRUE(back == large);
}

// A stream read in 256 KiB pieces (what MediaReader asks for) costs one GET
// per read-ahead window, not one per piece, and every byte is right.
TEST(S3BlobStoreTest, SequentialReadsGoByReadAheadWindows) {
  S3BlobStoreOptions options;
  options.read_ahead_bytes = 2 << 20;
  auto store = Connect(options);
  ASSERT_NE(store, nullptr);
  const std::string content = Pattern((10 << 20) + 77, 3);
  Put(*store, "blb_stream", content);
  auto r = store->Open("blb_stream");
  ASSERT_TRUE(r.ok());
  uint64_t gets_before = store->stats().gets;
  std::string piece(256 << 10, '\0');
  for (size_t at = 0; at < content.size(); at += piece.size()) {
    size_t n = std::min(piece.size(), content.size() - at);
    ASSERT_TRUE((*r)->ReadAt(at, {reinterpret_cast<uint8_t*>(piece.data()), n}).ok()) << at;
    ASSERT_TRUE(piece.compare(0, n, content, at, n) == 0) << "bytes differ at " << at;
  }
  // 10 MiB + 77 in 2 MiB windows: 6 GETs.
  EXPECT_EQ(store->stats().gets - gets_before, 6u);
  // A jump backwards still reads the right bytes.
  std::string early(1000, '\0');
  ASSERT_TRUE((*r)->ReadAt(12345, {reinterpret_cast<uint8_t*>(early.data()), 1000}).ok());
  EXPECT_EQ(early, content.substr(12345, 1000));
}

TEST(S3BlobStoreTest, MissingBucketIsNotFound) {
  auto config = NewTestS3Bucket();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config->bucket += "-absent";
  EXPECT_EQ(S3BlobStore::Connect(*config).status().code(), Status::Code::kNotFound);
}

// No S3 server behind the endpoint: a refused connection, and a server that
// accepts and never answers. Both are Unavailable, within the timeouts, and
// neither message holds the secret.
TEST(S3BlobStoreTest, NetworkFailuresAreUnavailableWithinTheTimeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);  // accepts (in the kernel), never answers
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int silent_port = ntohs(addr.sin_port);

  int closed = ::socket(AF_INET, SOCK_STREAM, 0);  // bound, not listening: refuses
  sockaddr_in caddr{};
  caddr.sin_family = AF_INET;
  caddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(closed, reinterpret_cast<sockaddr*>(&caddr), sizeof caddr), 0);
  len = sizeof caddr;
  ASSERT_EQ(::getsockname(closed, reinterpret_cast<sockaddr*>(&caddr), &len), 0);
  const int refused_port = ntohs(caddr.sin_port);

  for (int port : {refused_port, silent_port}) {
    S3Config c;
    c.endpoint = "http://127.0.0.1:" + std::to_string(port);
    c.bucket = "lethe-test-none";
    c.access_key = "AKIDEXAMPLE";
    c.secret_key = "s3cr3t-never-in-a-message";
    c.stall_timeout_ms = 1000;
    c.request_timeout_ms = 2000;
    auto start = std::chrono::steady_clock::now();
    auto store = S3BlobStore::Connect(c);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(store.status().code(), Status::Code::kUnavailable) << store.status().ToString();
    EXPECT_LT(secs, 5.0) << "port " << port;
    EXPECT_EQ(store.status().ToString().find(c.secret_key), std::string::npos);
  }
  ::close(fd);
  ::close(closed);
}

std::string RandomHex() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

// Every kind of request the store makes, under a prefix with characters
// that URI encoding and the canonical query must get right (space, UTF-8,
// '+', '=', '~', '(', '!', '*', '\''), each checked by the proxy: PUT,
// multipart (create, parts, complete), HEAD, ranged GETs, ListObjectsV2
// by pages with continuation tokens, ListMultipartUploads and aborts,
// DeleteObjects (POST ?delete with Content-MD5) and DELETE.
TEST(S3BlobStoreTest, AwkwardPrefixIsSignedRightForEveryRequest) {
  auto bucket = NewTestS3Bucket();
  ASSERT_TRUE(bucket.ok()) << bucket.status().ToString();
  auto parsed = ParseS3Url("s3://" + bucket->bucket +
                           "/odd%20prefix/%C3%A4+b=c~(1)!*'/?endpoint=" + bucket->endpoint);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->prefix, "odd prefix/\xc3\xa4+b=c~(1)!*'/");
  parsed->access_key = bucket->access_key;
  parsed->secret_key = bucket->secret_key;
  S3BlobStoreOptions options;
  options.part_bytes = 5 << 20;
  options.read_ahead_bytes = 1 << 20;
  options.list_page = 2;
  auto connected = S3BlobStore::Connect(*parsed, options);
  ASSERT_TRUE(connected.ok()) << connected.status().ToString();
  S3BlobStore& store = **connected;

  const std::string large = Pattern((11 << 20) + 3, 7);  // 5 + 5 + 1 MiB parts
  Put(store, "blb_large", large);
  for (int i = 0; i < 4; ++i) Put(store, "blb_s" + std::to_string(i), "small " + std::to_string(i));
  auto r = store.Open("blb_large");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string back(3 << 20, '\0');
  ASSERT_TRUE((*r)->ReadAt(7 << 20, {reinterpret_cast<uint8_t*>(back.data()), back.size()}).ok());
  EXPECT_TRUE(back == large.substr(7 << 20, 3 << 20));
  auto listed = store.List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 5u);
  EXPECT_GE(store.stats().lists, 3u);  // pages of 2: continuation tokens were signed

  {  // A writer dropped mid-upload aborts; the sweep lists what is left.
    auto w = store.Create("blb_dropped");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(Bytes(Pattern(6 << 20, 8))).ok());
  }
  auto swept = store.RemoveIncomplete();
  EXPECT_TRUE(swept.ok()) << swept.status().ToString();

  ASSERT_TRUE(store.RemoveMany({"blb_s0", "blb_s1", "blb_absent"}).ok());
  ASSERT_TRUE(store.Remove("blb_s2").ok());
  listed = store.List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::sort(listed->begin(), listed->end());
  EXPECT_EQ(*listed, (std::vector<std::string>{"blb_large", "blb_s3"}));
}

// A store configured with a wrong secret is refused by the store
// (SignatureDoesNotMatch): Connect says so plainly, as Unavailable, without
// the secret; and a PUT or a multipart upload signed with it writes nothing.
TEST(S3BlobStoreTest, WrongSecretIsRefusedClearlyAndWritesNothing) {
  auto config = NewTestS3Bucket();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  S3Config bad = *config;
  bad.secret_key = "wrong-secret-" + RandomHex();
  auto refused = S3BlobStore::Connect(bad);
  ASSERT_FALSE(refused.ok());
  const std::string msg = refused.status().ToString();
  EXPECT_EQ(refused.status().code(), Status::Code::kUnavailable) << msg;
  EXPECT_NE(msg.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("refused this server's credentials"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(bad.secret_key), std::string::npos) << msg;

  S3Client forger(bad);
  const std::string forged = "forged bytes";
  S3Client::Request put;
  put.method = "PUT";
  put.key = "blb_forged";
  put.body = Bytes(forged);
  auto res = forger.Send(put);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(res->ErrorCode(), "SignatureDoesNotMatch") << res->body;
  S3Client::Request create;
  create.method = "POST";
  create.key = "blb_forged_multipart";
  create.query = "uploads=";
  res = forger.Send(create);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->ErrorCode(), "SignatureDoesNotMatch") << res->body;

  auto good = S3BlobStore::Connect(*config);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ((*good)->Open("blb_forged").status().code(), Status::Code::kNotFound);
  auto listed = (*good)->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty()) << listed->size() << " object(s)";
}

// The store's key is rotated under a store that is writing: the blob in
// one buffer and the multipart one both fail (Unavailable, saying the
// credentials were refused), and neither object exists; a revoked key is
// InvalidAccessKeyId. The proxy holds a key of this test's own.
TEST(S3BlobStoreTest, KeyRotatedMidWriteFailsTheWriteAndLeavesNoObject) {
  auto config = NewTestS3Bucket();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  S3Config mine = *config;
  mine.access_key = "LETHETEST" + RandomHex();
  mine.secret_key = "first-secret-" + RandomHex();
  ASSERT_TRUE(SetTestS3Key(mine.access_key, mine.secret_key).ok());
  auto store = S3BlobStore::Connect(mine);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Put(**store, "blb_before", "written with the first key");

  auto small = (*store)->Create("blb_small");
  auto large = (*store)->Create("blb_large");
  ASSERT_TRUE(small.ok() && large.ok());
  ASSERT_TRUE((*large)->Append(Bytes(Pattern(9 << 20, 9))).ok());  // a part on its way
  ASSERT_TRUE(SetTestS3Key(mine.access_key, "rotated-" + RandomHex()).ok());
  ASSERT_TRUE((*small)->Append(Bytes("small")).ok());
  for (auto* w : {&*small, &*large}) {
    Status st = (*w)->Commit();
    EXPECT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
    EXPECT_NE(st.ToString().find("SignatureDoesNotMatch"), std::string::npos) << st.ToString();
    EXPECT_EQ(st.ToString().find(mine.secret_key), std::string::npos);
  }
  auto good = S3BlobStore::Connect(*config);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  auto listed = (*good)->List();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, std::vector<std::string>{"blb_before"});

  ASSERT_TRUE(RevokeTestS3Key(mine.access_key).ok());
  auto revoked = S3BlobStore::Connect(mine);
  EXPECT_EQ(revoked.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(revoked.status().ToString().find("InvalidAccessKeyId"), std::string::npos)
      << revoked.status().ToString();
}

TEST(S3UrlTest, ParsesBucketPrefixEndpointAndRegion) {
  auto c = ParseS3Url("s3://media-eu/lethe/prod?endpoint=http://127.0.0.1:9000&region=eu-west-1");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->bucket, "media-eu");
  EXPECT_EQ(c->prefix, "lethe/prod/");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c->region, "eu-west-1");
  auto aws = ParseS3Url("s3://media-us");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(aws->prefix, "");
  for (const char* bad :
       {"http://bucket", "s3://B", "s3://ok-bucket?color=red", "s3://ok-bucket?endpoint=ftp://x",
        "s3://ok-bucket?endpoint=http://h/p", "not a url"}) {
    EXPECT_EQ(ParseS3Url(bad).status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace lethe
