// GET /v1/exports/{token} in-process: the real router and server on
// loopback over the domain on real SQLite files and blobs. The ZIP comes
// chunked with its download headers and holds the media byte for byte; a
// second GET is 410 link-gone, an unknown token 404; HEAD uses nothing up.
#include "http/export_api.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "http/loopback_client.h"
#include "http/metrics.h"
#include "http/server.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

class ExportApiTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    exports_ = std::make_unique<SubjectExports>(*metadata_, *media_, clock_, RetentionClasses{});
    links_ = std::make_unique<ExportLinks>(*metadata_, *exports_, *audit_, clock_, random_);
    AddExportRoutes(router_, *links_);
    ServerOptions options;
    options.port = 0;
    options.threads = 1;
    server_ = std::make_unique<HttpServer>(router_, metrics_, random_, network_threads_, options);
    auto bound = server_->Listen();
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    port_ = static_cast<uint16_t>(std::stoi(bound->substr(bound->rfind(':') + 1)));
    runner_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    server_->Stop();
    runner_.join();
  }

  Router router_;
  Metrics metrics_;
  NetworkThreads network_threads_;
  std::unique_ptr<SubjectExports> exports_;
  std::unique_ptr<ExportLinks> links_;
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
};

// The bytes of entry `name` in the ZIP `zip`, read with libarchive.
std::string ZipEntry(const std::string& zip, const std::string& name) {
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  std::string out = "(absent)";
  if (archive_read_open_memory(a, zip.data(), zip.size()) == ARCHIVE_OK) {
    archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
      if (name != archive_entry_pathname(e)) continue;
      out.clear();
      char buf[65536];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) out.append(buf, n);
    }
  }
  archive_read_free(a);
  return out;
}

TEST_F(ExportApiTest, TheZipStreamsOnceThenTheLinkIsGone_RGT1) {
  Principal who = MakeAccount("ada@example.com");
  std::string data(300'000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7) ^ (i >> 11));
  const char head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  auto ingest = media_->BeginIngest(who, "video/mp4", origin_);
  ASSERT_TRUE(ingest.ok());
  ASSERT_TRUE((*ingest)->Append({reinterpret_cast<const uint8_t*>(data.data()), data.size()}).ok());
  MediaFields fields;
  fields.end_user = "user-42";
  auto m = (*ingest)->Commit(fields);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto link = links_->Issue(who.account.customer_id, "prq_http",
                            {who.account.customer_id, who.account.id, "user-42"}, "gdpr",
                            Actor::Customer(who.account.customer_id), origin_);
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  const std::string path = "/v1/exports/" + link->token;

  LoopbackResponse head_only = LoopbackRequest(port_, "HEAD", path);
  EXPECT_EQ(head_only.status, 200);
  EXPECT_EQ(head_only.Header("content-type"), "application/zip");

  LoopbackResponse got = LoopbackRequest(port_, "GET", path);
  ASSERT_EQ(got.status, 200) << got.raw.substr(0, 400);
  EXPECT_EQ(got.Header("content-type"), "application/zip");
  EXPECT_EQ(got.Header("content-disposition"),
            "attachment; filename=\"lethe-export-prq_http.zip\"");
  EXPECT_EQ(got.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(got.Header("cache-control"), "no-store");
  bool complete = false;
  std::string zip = LoopbackDechunk(got.body, complete);
  EXPECT_TRUE(complete);
  EXPECT_EQ(ZipEntry(zip, "media/" + m->id + ".mp4"), data) << "not byte-identical";
  EXPECT_NE(ZipEntry(zip, "subject.json"), "(absent)");

  LoopbackResponse again = LoopbackRequest(port_, "GET", path);
  EXPECT_EQ(again.status, 410) << again.raw.substr(0, 400);
  EXPECT_EQ(again.Header("content-type"), "application/problem+json");
  auto problem = boost::json::parse(again.body);
  EXPECT_NE(std::string(problem.at("type").as_string()).find("link-gone"), std::string::npos)
      << again.body;
  EXPECT_EQ(LoopbackRequest(port_, "HEAD", path).status, 410);
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/v1/exports/lex_unknown").status, 404);
}

}  // namespace
}  // namespace lethe
