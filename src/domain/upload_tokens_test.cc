#include "domain/upload_tokens.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "crypto/secret_hash.h"
#include "domain/web_origins.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr int64_t kMaxMedia = 64 << 20;

std::vector<uint8_t> Mp4Bytes(size_t size) {
  std::vector<uint8_t> data(size, 0x42);
  const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  return data;
}

class UploadTokensTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    tokens_ = std::make_unique<UploadTokens>(*metadata_, *audit_, clock_, random_, kMaxMedia);
    who_ = MakeAccount("ada@example.com");
  }

  IssuedUploadToken Issue(UploadTokenSpec spec) {
    auto issued = tokens_->Issue(who_, spec, origin_);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : IssuedUploadToken{};
  }

  // An upload as POST /v1/media makes it under a grant: the token's terms,
  // and its use spent in the media's commit.
  Result<MediaRecord> Upload(const UploadGrant& grant, const std::vector<uint8_t>& data,
                             const std::string& type = "video/mp4") {
    IngestTerms terms;
    terms.max_bytes = static_cast<uint64_t>(grant.token.max_bytes);
    terms.kinds = grant.token.kinds;
    terms.in_commit = [grant](MetadataTx& tx, const MediaRecord&) {
      return UploadTokens::Spend(tx, grant);
    };
    LETHE_ASSIGN_OR_RETURN(auto ingest, media_->BeginIngest(who_, type, origin_, terms));
    LETHE_RETURN_IF_ERROR(ingest->Append(data));
    MediaFields fields;
    fields.end_user = grant.token.end_user;
    return ingest->Commit(fields);
  }

  int64_t MediaCount() {
    MediaQuery q;
    q.account_id = who_.account.id;
    q.limit = 1000;
    return static_cast<int64_t>(media_->List(q)->items.size());
  }

  std::unique_ptr<UploadTokens> tokens_;
  Principal who_;
};

TEST_F(UploadTokensTest, ATokenIsShownOnceStoredAsADigestWithItsDefaults_SEC2) {
  IssuedUploadToken t = Issue({.end_user = "eu_1"});
  EXPECT_TRUE(UploadTokens::LooksLikeUploadToken(t.token));
  EXPECT_EQ(t.record.expires_ms - t.record.created_ms, 15 * 60 * 1000) << "15 minutes";
  EXPECT_EQ(t.record.uses_left, 1);
  EXPECT_EQ(t.record.max_bytes, kMaxMedia);
  EXPECT_EQ(t.record.kinds, (std::vector<std::string>{"video", "audio", "image"}));
  auto stored = metadata_->FindUploadToken(TokenDigest(t.token));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->digest, TokenDigest(t.token));
  EXPECT_NE(stored->digest, t.token);
  // Nowhere in the database file in clear.
  std::ifstream db(dir_.File("lethe.db"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(t.token), std::string::npos);
}

TEST_F(UploadTokensTest, BadSpecsAreRefusedAndStoreNothing) {
  std::vector<UploadTokenSpec> bad = {
      {.end_user = ""},
      {.end_user = "eu", .expires_in_s = 0},
      {.end_user = "eu", .expires_in_s = 86401},
      {.end_user = "eu", .max_bytes = 0},
      {.end_user = "eu", .max_bytes = kMaxMedia + 1},
      {.end_user = "eu", .kinds = std::vector<std::string>{}},
      {.end_user = "eu", .kinds = std::vector<std::string>{"video", "pdf"}},
      {.end_user = "eu", .uses = 0},
      {.end_user = "eu", .uses = 1001},
      {.end_user = "eu", .tags = std::vector<std::string>(33, "t")},
  };
  for (const UploadTokenSpec& spec : bad) {
    auto issued = tokens_->Issue(who_, spec, origin_);
    EXPECT_EQ(issued.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(issued.status().reason(), "invalid-field");
  }
  ASSERT_TRUE(tokens_->Sweep().ok());
  EXPECT_EQ(*tokens_->Sweep(), 0);
  // 24 hours is the ceiling, and allowed.
  EXPECT_TRUE(tokens_->Issue(who_, {.end_user = "eu", .expires_in_s = 86400}, origin_).ok());
}

TEST_F(UploadTokensTest, AUseIsSpentOnlyWhenTheMediaCommits) {
  IssuedUploadToken t = Issue({.end_user = "eu_1", .uses = 2});
  auto admitted = tokens_->Authenticate(t.token);
  ASSERT_TRUE(admitted.ok()) << admitted.status().ToString();
  EXPECT_EQ(admitted->first.account.id, who_.account.id);
  EXPECT_EQ(admitted->first.credential_id, t.record.id) << "usage records the token";
  const UploadGrant grant = admitted->second;

  // Refused for its kind: nothing stored, no use taken.
  auto png = Upload(grant, Mp4Bytes(100), "image/png");
  EXPECT_FALSE(png.ok());
  EXPECT_EQ(metadata_->FindUploadToken(TokenDigest(t.token))->uses_left, 2);

  ASSERT_TRUE(Upload(grant, Mp4Bytes(5000)).ok());
  EXPECT_EQ(metadata_->FindUploadToken(TokenDigest(t.token))->uses_left, 1);
  ASSERT_TRUE(Upload(grant, Mp4Bytes(5000)).ok());
  // Used up: the third commit is refused and leaves no media.
  auto third = Upload(grant, Mp4Bytes(5000));
  EXPECT_EQ(third.status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(MediaCount(), 2);
  EXPECT_EQ(tokens_->Authenticate(t.token).status().code(), Status::Code::kUnauthenticated);
}

TEST_F(UploadTokensTest, SizeAndKindLimitsRefuseTheUpload) {
  IssuedUploadToken t =
      Issue({.end_user = "eu", .max_bytes = 4096, .kinds = std::vector<std::string>{"image"}});
  auto admitted = tokens_->Authenticate(t.token);
  ASSERT_TRUE(admitted.ok());
  auto video = Upload(admitted->second, Mp4Bytes(1000));
  EXPECT_EQ(video.status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(video.status().reason(), "upload-token-kind");

  IssuedUploadToken v = Issue({.end_user = "eu", .max_bytes = 4096});
  auto big = Upload(tokens_->Authenticate(v.token)->second, Mp4Bytes(4097));
  EXPECT_EQ(big.status().code(), Status::Code::kTooLarge);
  EXPECT_EQ(big.status().reason(), "upload-token-size");
  EXPECT_EQ(MediaCount(), 0);
  EXPECT_EQ(metadata_->FindUploadToken(TokenDigest(v.token))->uses_left, 1);
}

TEST_F(UploadTokensTest, ExpiryIsJudgedWhenTheUploadStarts) {
  IssuedUploadToken t = Issue({.end_user = "eu", .expires_in_s = 60});
  auto admitted = tokens_->Authenticate(t.token);
  ASSERT_TRUE(admitted.ok());
  clock_.Advance(61 * 1000);
  // Started in time: it may finish after the expiry.
  EXPECT_TRUE(Upload(admitted->second, Mp4Bytes(1000)).ok());

  IssuedUploadToken late = Issue({.end_user = "eu", .expires_in_s = 60});
  clock_.Advance(60 * 1000);
  EXPECT_EQ(tokens_->Authenticate(late.token).status().code(), Status::Code::kUnauthenticated);
  // The sweep deletes it once expired.
  clock_.Advance(1 * 1000);
  auto swept = tokens_->Sweep();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(metadata_->FindUploadToken(TokenDigest(late.token)).status().code(),
            Status::Code::kNotFound);
}

TEST_F(UploadTokensTest, RevocationIsImmediateAndScopedToTheAccount) {
  IssuedUploadToken t = Issue({.end_user = "eu", .uses = 5});
  auto admitted = tokens_->Authenticate(t.token);
  ASSERT_TRUE(admitted.ok());
  Principal other = MakeAccount("bob@example.com");
  EXPECT_EQ(tokens_->Revoke(other, t.record.id, origin_).code(), Status::Code::kNotFound);
  EXPECT_TRUE(tokens_->Authenticate(t.token).ok());
  ASSERT_TRUE(tokens_->Revoke(who_, t.record.id, origin_).ok());
  EXPECT_EQ(tokens_->Authenticate(t.token).status().code(), Status::Code::kUnauthenticated);
  // An upload admitted before the revocation does not commit after it.
  EXPECT_EQ(Upload(admitted->second, Mp4Bytes(1000)).status().code(),
            Status::Code::kUnauthenticated);
  EXPECT_EQ(MediaCount(), 0);
  EXPECT_EQ(tokens_->Revoke(who_, t.record.id, origin_).code(), Status::Code::kNotFound);
}

TEST(WebOrigins, CanonicalSpellingAndRefusals) {
  EXPECT_EQ(*CanonicalOrigin("HTTPS://App.Example.COM"), "https://app.example.com");
  EXPECT_EQ(*CanonicalOrigin("https://app.example:443"), "https://app.example");
  EXPECT_EQ(*CanonicalOrigin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(*CanonicalOrigin("http://[::1]:3000"), "http://[::1]:3000");
  for (const char* bad :
       {"", "*", "null", "app.example", "ftp://app.example", "https://app.example/",
        "https://app.example/path", "https://app.example?q", "https://user@app.example", "https://",
        "https://app.example:99999", "https://*.example"}) {
    EXPECT_FALSE(CanonicalOrigin(bad).ok()) << bad;
  }
  auto list = CanonicalOrigins({"https://a.example", "HTTPS://A.example:443", "http://b.example"});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{"https://a.example", "http://b.example"}));
  EXPECT_FALSE(CanonicalOrigins(std::vector<std::string>(33, "https://a.example")).ok());
}

}  // namespace
}  // namespace lethe
