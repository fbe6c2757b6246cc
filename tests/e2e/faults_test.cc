// Storage faults end to end (issue 7): a real server in this process whose
// blob and key stores fail on cue (src/testing/ wrappers, through
// PortSeams), driven over real HTTP. Each failing upload must be a clean
// problem+json answer (500 internal, or 507 for a full disk) and leave
// nothing half-written: no media listed, no new blob file, no temp file
// once the ingest is gone or after a restart's recovery, an intact audit
// chain; and the next upload works. A blob that cannot be removed on
// DELETE must leave an answer and a state that agree.
#include <algorithm>

#include "in_process_server.h"
#include "media_support.h"
#include "testing/faulty_blob_store.h"
#include "testing/faulty_key_store.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

// A PNG and 3.5 MiB after it: sealed, several 1 MiB writes (Appends).
const std::string& UploadBody() {
  static const std::string body = SamplePng() + PatternBytes(7 << 19, 7);
  return body;
}

Status Eio() { return Status::Internal("injected EIO"); }
Status Enospc() { return Status::InsufficientStorage("the media volume is full (injected)"); }

// A server whose stores are wrapped; the wrappers are re-made at restart.
class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PortSeams seams;
    seams.wrap_blobs = [this](std::unique_ptr<BlobStore> base) {
      auto faulty = std::make_unique<FaultyBlobStore>(std::move(base));
      blobs_ = faulty.get();
      return faulty;
    };
    seams.wrap_keys = [this](std::unique_ptr<KeyStore> base) {
      auto faulty = std::make_unique<FaultyKeyStore>(std::move(base));
      keys_ = faulty.get();
      return faulty;
    };
    server_ = std::make_unique<InProcessServer>(std::move(seams));
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "faults");
    ASSERT_FALSE(tenant_.token().empty());
  }

  Response Upload(const std::string& query = "") {
    return UploadBytes(client_, tenant_.token(), UploadBody(), "image/png", query);
  }

  std::vector<std::string> MediaIds() {
    std::vector<std::string> ids;
    for (const auto& m : ListAllMedia(client_, tenant_.token())) ids.push_back(Str(m, "id"));
    return ids;
  }
  std::vector<std::string> BlobFiles() {  // the media's, not their posters
    std::vector<std::string> out;
    for (std::string& f : ListFilesUnder(server_->media_dir() + "/blobs")) {
      if (!IsArtifactBlob(f)) out.push_back(std::move(f));
    }
    return out;
  }
  std::vector<std::string> TempFiles() {
    return ListFilesUnder(server_->media_dir() + "/incoming");
  }

  // The actions of this account's audit events, oldest first.
  std::vector<std::string> AuditActions() {
    Response r = client_.Get("/v1/accounts/" + tenant_.account.id + "/audit?limit=100",
                             BearerAuth(tenant_.session));
    EXPECT_EQ(r.status, 200) << r.Describe();
    std::vector<std::string> out;
    if (r.status != 200) return out;
    for (const auto& e : Arr(r.Json(), "events")) out.push_back(Str(e, "action"));
    std::sort(out.begin(), out.end());
    return out;
  }

  // A successful upload; returns its id and counts the blob calls it made.
  std::string GoodUpload(uint64_t* appends = nullptr) {
    uint64_t before = blobs_->calls(BlobOp::kAppend);
    Response r = Upload();
    EXPECT_EQ(r.status, 201) << r.Describe();
    if (appends) *appends = blobs_->calls(BlobOp::kAppend) - before;
    return r.status == 201 ? Str(r.Json(), "id") : "";
  }

  // Stops the server, checks the audit chain with `lethe audit verify`, and
  // starts it again (recovery runs).
  void RestartAndVerifyAudit() {
    server_->Stop();
    CommandResult verify = AuditVerify(server_->data_dir());
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    ASSERT_TRUE(server_->Restart());
    client_.set_base_url(server_->base_url());
  }

  // Everything a failed upload must leave as it was, given the state before.
  void ExpectNothingLeft(const std::vector<std::string>& media_before,
                         const std::vector<std::string>& blobs_before,
                         const std::vector<std::string>& audit_before) {
    EXPECT_EQ(MediaIds(), media_before);
    EXPECT_EQ(BlobFiles(), blobs_before);
    // The ingest is destroyed once its request is over.
    EXPECT_TRUE(WaitFor([&] { return TempFiles().empty(); })) << TempFiles().size();
    EXPECT_EQ(AuditActions(), audit_before);
    RestartAndVerifyAudit();
    EXPECT_TRUE(TempFiles().empty());
    EXPECT_EQ(BlobFiles(), blobs_before);
    EXPECT_EQ(MediaIds(), media_before);
    // And the store works again.
    std::string id = GoodUpload();
    ASSERT_FALSE(id.empty());
    DownloadsIntact(id);
  }

  void DownloadsIntact(const std::string& id) {
    Response back = client_.Get("/v1/media/" + id + "/content", BearerAuth(tenant_.token()));
    ASSERT_EQ(back.status, 200) << back.Describe();
    EXPECT_TRUE(back.body == UploadBody()) << "content differs";
  }

  std::unique_ptr<InProcessServer> server_;
  FaultyBlobStore* blobs_ = nullptr;  // owned by the server
  FaultyKeyStore* keys_ = nullptr;
  HttpClient client_;
  Tenant tenant_;
};

// One failing upload: the fault, and the answer it must give.
struct UploadFault {
  std::string name;
  BlobOp op;
  int nth;  // 0: the last Append of the upload
  bool enospc = false;
  FaultMode mode = FaultMode::kBefore;
  friend void PrintTo(const UploadFault& f, std::ostream* os) { *os << f.name; }
};

class UploadFaultTest : public FaultsTest, public ::testing::WithParamInterface<UploadFault> {};

TEST_P(UploadFaultTest, CleanAnswerAndNothingLeft) {
  const UploadFault& f = GetParam();
  uint64_t appends = 0;
  std::string kept = GoodUpload(&appends);  // already there; must stay intact
  ASSERT_FALSE(kept.empty());
  ASSERT_GE(appends, 4u) << "the upload should take several Appends";
  std::vector<std::string> media_before = MediaIds();
  std::vector<std::string> blobs_before = BlobFiles();
  std::vector<std::string> audit_before = AuditActions();
  ASSERT_EQ(blobs_before.size(), 1u);

  blobs_->FailNth(f.op, f.nth == 0 ? appends : f.nth, f.enospc ? Enospc() : Eio(), f.mode);
  Response r = Upload();
  EXPECT_EQ(blobs_->pending(), 0u) << "the fault never fired";
  if (f.enospc) {
    LETHE_EXPECT_PROBLEM(r, 507, "insufficient-storage");
  } else {
    LETHE_EXPECT_PROBLEM(r, 500, "internal");
    // The detail names no file (it went to the log with the request id).
    EXPECT_EQ(r.body.find("injected"), std::string::npos) << r.body;
  }
  ExpectNothingLeft(media_before, blobs_before, audit_before);
  DownloadsIntact(kept);
}

INSTANTIATE_TEST_SUITE_P(
    Blob, UploadFaultTest,
    ::testing::Values(UploadFault{"first_append_eio", BlobOp::kAppend, 1},
                      UploadFault{"third_append_eio", BlobOp::kAppend, 3},
                      UploadFault{"last_append_eio", BlobOp::kAppend, 0},
                      UploadFault{"second_append_enospc", BlobOp::kAppend, 2, true},
                      UploadFault{"last_append_enospc", BlobOp::kAppend, 0, true},
                      UploadFault{"create_eio", BlobOp::kCreate, 1},
                      UploadFault{"commit_eio", BlobOp::kCommit, 1},
                      UploadFault{"commit_enospc", BlobOp::kCommit, 1, true},
                      // Renamed into place, then the directory sync failed.
                      UploadFault{"commit_eio_after_rename", BlobOp::kCommit, 1, false,
                                  FaultMode::kAfter}),
    [](const auto& info) { return info.param.name; });

// The key store fails to save a new end user's key: the upload that needed
// it fails cleanly, and the next one for that end user works.
TEST_F(FaultsTest, KeyStoreWriteFailureLeavesNothing) {
  std::string kept = GoodUpload();  // creates the account key
  ASSERT_FALSE(kept.empty());
  std::vector<std::string> media_before = MediaIds();
  std::vector<std::string> blobs_before = BlobFiles();
  std::vector<std::string> audit_before = AuditActions();
  uint64_t puts = keys_->calls(KeyOp::kPutIfAbsent);
  keys_->FailNth(KeyOp::kPutIfAbsent, 1, Eio());
  Response r = Upload("end_user=" + UrlEncode("new-viewer@example.com"));
  LETHE_EXPECT_PROBLEM(r, 500, "internal");
  EXPECT_EQ(keys_->calls(KeyOp::kPutIfAbsent), puts + 1);
  EXPECT_EQ(keys_->pending(), 0u);
  EXPECT_EQ(MediaIds(), media_before);
  EXPECT_EQ(BlobFiles(), blobs_before);
  EXPECT_TRUE(WaitFor([&] { return TempFiles().empty(); }));
  EXPECT_EQ(AuditActions(), audit_before);
  RestartAndVerifyAudit();
  EXPECT_EQ(BlobFiles(), blobs_before);
  Response again = Upload("end_user=" + UrlEncode("new-viewer@example.com"));
  ASSERT_EQ(again.status, 201) << again.Describe();
  DownloadsIntact(Str(again.Json(), "id"));
}

// DELETE whose blob cannot be removed. MediaLibrary::Remove promises that
// once the record is gone the media is deleted; the blob left behind is an
// orphan for recovery. So the answer is 202 and everything agrees with it:
// the media is gone for every reader, the deletion is audited, and the
// orphan file is removed at the next start.
TEST_F(FaultsTest, FailedBlobRemoveOnDelete) {
  std::string gone = GoodUpload();
  std::string kept = GoodUpload();
  ASSERT_FALSE(gone.empty());
  ASSERT_FALSE(kept.empty());
  ASSERT_EQ(BlobFiles().size(), 2u);
  // The posters are made in the background and remove an earlier attempt's
  // blob first: the fault must meet the deletion's remove, not theirs.
  for (const std::string& id : {gone, kept}) {
    EXPECT_TRUE(WaitFor([&] {
      Response m = client_.Get("/v1/media/" + id, BearerAuth(tenant_.token()));
      if (m.status != 200) return false;
      const boost::json::value body = m.Json();
      const boost::json::value* poster = Field(body, "poster");
      return poster != nullptr && poster->is_object() && Str(*poster, "state") != "pending";
    })) << "the poster of "
        << id << " is still being made";
  }
  blobs_->FailNth(BlobOp::kRemove, 1, Eio());
  Response del = client_.Delete("/v1/media/" + gone, BearerAuth(tenant_.token()));
  EXPECT_EQ(del.status, 202) << del.Describe();
  EXPECT_EQ(blobs_->pending(), 0u);
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + gone, BearerAuth(tenant_.token())), 404,
                       "not-found");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + gone + "/content", BearerAuth(tenant_.token())),
                       404, "not-found");
  EXPECT_EQ(MediaIds(), std::vector<std::string>{kept});
  std::vector<std::string> actions = AuditActions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "media.delete"), 1);
  // A second DELETE agrees: there is nothing to delete.
  LETHE_EXPECT_PROBLEM(client_.Delete("/v1/media/" + gone, BearerAuth(tenant_.token())), 404,
                       "not-found");
  EXPECT_EQ(BlobFiles().size(), 2u) << "the orphan stays until recovery";

  RestartAndVerifyAudit();
  EXPECT_EQ(BlobFiles().size(), 1u) << "recovery removes the orphan";
  DownloadsIntact(kept);
  EXPECT_EQ(MediaIds(), std::vector<std::string>{kept});
}

}  // namespace
}  // namespace lethe::e2e
