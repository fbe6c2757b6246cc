// StaticSite on real files in a temp directory: what it reads, what it
// refuses to read, and the headers of what it serves. The routes in front
// of it (traversal attempts over a real socket) are tests/e2e/portal_test.cc.
#include "http/static_site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class StaticSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.File("site");
    Write(root_ + "/index.html", "<!doctype html><title>portal</title>");
    Write(root_ + "/assets/index-AbC123.js", "console.log(1)");
    Write(root_ + "/assets/index-Zz9.css", "body{}");
  }
  TempDir dir_;
  std::string root_;
};

TEST_F(StaticSiteTest, ReadsEveryRegularFileByItsRelativeName) {
  auto site = StaticSite::Load(root_);
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_EQ(site->file_count(), 3u);
  const StaticFile* js = site->Find("assets/index-AbC123.js");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_TRUE(js->immutable);
  const StaticFile* index = site->Find("index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_FALSE(index->immutable) << "index.html names the assets: revalidated every time";
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(site->total_bytes(), 36u + 14u + 6u);
}

TEST_F(StaticSiteTest, NamesThatAreNotExactlyAFileFindNothing) {
  auto site = StaticSite::Load(root_);
  ASSERT_TRUE(site.ok());
  for (const std::string& name :
       {std::string(), std::string("/index.html"), std::string("./index.html"),
        std::string("assets/../index.html"), std::string("assets//index-AbC123.js"),
        std::string("assets"), std::string("assets/"), std::string("../site/index.html"),
        std::string("INDEX.HTML"), std::string("index.html\0x", 12)}) {
    EXPECT_EQ(site->Find(name), nullptr) << name;
  }
}

TEST_F(StaticSiteTest, SymlinksAndHiddenFilesAreNeverRead) {
  Write(dir_.File("secret.txt"), "the master key");
  fs::create_symlink(dir_.File("secret.txt"), root_ + "/assets/leak.txt");
  fs::create_directory_symlink(dir_.path(), root_ + "/assets/up");
  Write(root_ + "/.env", "TOKEN=1");
  Write(root_ + "/.git/config", "[core]");
  auto site = StaticSite::Load(root_);
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  EXPECT_EQ(site->Find("assets/leak.txt"), nullptr);
  EXPECT_EQ(site->Find("assets/up/secret.txt"), nullptr);
  EXPECT_EQ(site->Find(".env"), nullptr);
  EXPECT_EQ(site->Find(".git/config"), nullptr);
  EXPECT_EQ(site->file_count(), 3u);
}

TEST_F(StaticSiteTest, RefusesADirectoryThatIsNoPortal) {
  EXPECT_EQ(StaticSite::Load(dir_.File("missing")).status().reason(), "bad-portal");
  fs::remove(root_ + "/index.html");
  EXPECT_EQ(StaticSite::Load(root_).status().reason(), "bad-portal") << "no index.html";
  Write(root_ + "/index.html", "x");
  std::ofstream(root_ + "/assets/huge.bin", std::ios::binary).close();
  fs::resize_file(root_ + "/assets/huge.bin", kMaxSiteBytes);
  EXPECT_EQ(StaticSite::Load(root_).status().reason(), "bad-portal") << "over kMaxSiteBytes";
}

TEST(ContentTypeFor, KnownExtensionsAndTheRest) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/a-1.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/a-1.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/logo-1.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("assets/f-1.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("assets/a-1.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("assets/blob"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("assets.d/blob"), "application/octet-stream") << "a dot in a directory";
  EXPECT_EQ(ContentTypeFor("x.HTML"), "application/octet-stream") << "exact extensions only";
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST_F(StaticSiteTest, ServesWithCachingAndSecurityHeaders) {
  auto site = StaticSite::Load(root_);
  ASSERT_TRUE(site.ok());
  HttpRequest req;
  req.method = "GET";
  const StaticFile& js = *site->Find("assets/index-AbC123.js");
  HttpResponse r = ServeStaticFile(js, req);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(r, "Referrer-Policy"), "same-origin");
  EXPECT_EQ(HeaderOf(r, "Content-Security-Policy"), kPortalCsp);
  const std::string etag = HeaderOf(r, "ETag");
  ASSERT_EQ(etag.size(), 34u) << etag;
  EXPECT_EQ(etag.front(), '"');

  HttpResponse index = ServeStaticFile(*site->Find("index.html"), req);
  EXPECT_EQ(HeaderOf(index, "Cache-Control"), "no-cache");
  EXPECT_NE(HeaderOf(index, "ETag"), etag) << "another file, another tag";

  for (const std::string& inm : {etag, "W/" + etag, "\"x\", " + etag, std::string("*")}) {
    req.headers["if-none-match"] = inm;
    HttpResponse again = ServeStaticFile(js, req);
    EXPECT_EQ(again.status, 304) << inm;
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  }
  req.headers["if-none-match"] = "\"" + std::string(32, '0') + "\"";
  EXPECT_EQ(ServeStaticFile(js, req).status, 200);
}

TEST(PortalCsp, IsStrict) {
  const std::string csp(kPortalCsp);
  for (const char* directive :
       {"default-src 'self'", "script-src 'self';", "object-src 'none'", "base-uri 'none'",
        "frame-ancestors 'none'", "form-action 'self'", "require-trusted-types-for 'script'"}) {
    EXPECT_NE(csp.find(directive), std::string::npos) << directive;
  }
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << "no unsafe-inline, unsafe-eval";
  EXPECT_EQ(csp.find("data:"), std::string::npos);
  EXPECT_EQ(csp.find('*'), std::string::npos);
}

}  // namespace
}  // namespace lethe
