// Subject exports (RGT-1, RGT-3) on real SQLite files and a real blob
// store: what the ZIP holds, read back with libarchive's reader; subject.json
// checked against docs/schemas/subject-export.schema.json by a real JSON
// Schema validator (Debian's python3-jsonschema, run as a process); the
// CCPA lookback; and the single-use, 24-hour export links.
#include "domain/subject_export.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "common/time_format.h"
#include "crypto/secret_hash.h"
#include "domain/export_links.h"
#include "testing/domain_fixture.h"

namespace lethe {
namespace {

constexpr int64_t kDayMs = 86'400'000;

std::vector<uint8_t> Mp4Bytes(size_t size, uint8_t salt) {
  std::vector<uint8_t> data(size);
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>((i * 131) ^ (i >> 9) ^ salt);
  const uint8_t head[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
  std::copy(std::begin(head), std::end(head), data.begin());
  return data;
}

// The repository root, from this file's path (CMake compiles by absolute path).
std::string SourceRoot() {
  std::string file = __FILE__;
  return file.substr(0, file.rfind("src/domain/"));
}

std::string Text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// Runs `command`; returns its exit status and fills `output` (stdout and stderr).
int RunCommand(const std::string& command, std::string& output) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  return ::pclose(p);
}

class SubjectExportTest : public DomainFixture {
 protected:
  void SetUp() override {
    DomainFixture::SetUp();
    exports_ = std::make_unique<SubjectExports>(*metadata_, *media_, clock_, RetentionClasses{});
    links_ = std::make_unique<ExportLinks>(*metadata_, *exports_, *audit_, clock_, random_);
  }

  MediaRecord Upload(const Principal& who, const std::string& end_user,
                     const std::vector<uint8_t>& data, const std::string& title) {
    auto ingest = media_->BeginIngest(who, "video/mp4", origin_);
    EXPECT_TRUE(ingest.ok()) << ingest.status().ToString();
    for (size_t off = 0; off < data.size(); off += 50'000) {
      size_t n = std::min<size_t>(50'000, data.size() - off);
      EXPECT_TRUE((*ingest)->Append({data.data() + off, n}).ok());
    }
    MediaFields fields;
    fields.end_user = end_user;
    fields.title = title;
    fields.tags = std::vector<std::string>{"holiday", "2026"};
    auto m = (*ingest)->Commit(fields);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }

  void AddUsage(const Principal& who, const std::string& end_user, int64_t time_ms,
                const std::string& id) {
    UsageEvent e;
    e.id = id;
    e.time_ms = time_ms;
    e.account_id = who.account.id;
    e.credential_id = who.credential_id;
    e.end_user = end_user;
    e.ip = "203.0.113.7";
    e.device_type = "desktop";
    e.browser = "Firefox";
    e.browser_version = "128.0";
    e.language = "de-DE";
    e.country = "DE";
    e.method = "GET";
    e.route = "/v1/media/{id}/content";
    e.status = 200;
    ASSERT_TRUE(
        metadata_->Transact([&](MetadataTx& tx) { return tx.InsertUsageEvents({e}); }).ok());
  }

  // Reads `stream` to its end in pieces of `piece` bytes into a file;
  // returns the file's path.
  std::string Drain(ExportStream& stream, size_t piece, const std::string& name) {
    std::string path = dir_.File(name);
    std::ofstream out(path, std::ios::binary);
    std::vector<uint8_t> buf(piece);
    for (;;) {
      auto n = stream.Read(buf);
      EXPECT_TRUE(n.ok()) << n.status().ToString();
      if (!n.ok() || *n == 0) break;
      out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(*n));
    }
    return path;
  }

  // Every entry of the ZIP at `path`, read with libarchive's reader.
  std::map<std::string, std::string> Entries(const std::string& path) {
    std::map<std::string, std::string> out;
    archive* a = archive_read_new();
    archive_read_support_format_zip(a);
    EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 64 * 1024), ARCHIVE_OK)
        << archive_error_string(a);
    archive_entry* e = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
      std::string body;
      char buf[65536];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) body.append(buf, n);
      EXPECT_EQ(n, 0) << archive_error_string(a);
      out[archive_entry_pathname(e)] = std::move(body);
    }
    EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a);
    archive_read_free(a);
    return out;
  }

  std::map<std::string, std::string> Export(const ExportSubject& subject,
                                            const std::string& jurisdiction, size_t piece = 7'001) {
    auto stream = exports_->Open(subject, jurisdiction);
    EXPECT_TRUE(stream.ok()) << stream.status().ToString();
    if (!stream.ok()) return {};
    return Entries(Drain(**stream, piece, "export-" + jurisdiction + ".zip"));
  }

  // Empty when `json` validates against the shipped schema; else the
  // validator's complaints.
  std::string SchemaErrors(const std::string& json) {
    std::string doc = dir_.File("subject.json");
    std::ofstream(doc) << json;
    std::string script = dir_.File("validate.py");
    std::ofstream(script) << "import json, sys\n"
                             "from jsonschema import Draft202012Validator, FormatChecker\n"
                             "schema = json.load(open(sys.argv[1]))\n"
                             "Draft202012Validator.check_schema(schema)\n"
                             "v = Draft202012Validator(schema, format_checker=FormatChecker())\n"
                             "errors = [f'{list(e.absolute_path)}: {e.message}' for e in "
                             "v.iter_errors(json.load(open(sys.argv[2])))]\n"
                             "print('\\n'.join(errors))\n"
                             "sys.exit(1 if errors else 0)\n";
    // Debian's interpreter and package (scripts/install-deps.sh), not
    // whatever python3 comes first on PATH.
    std::string out;
    int rc = RunCommand(std::string("/usr/bin/python3 ") + script + " " + SourceRoot() +
                            "docs/schemas/subject-export.schema.json " + doc,
                        out);
    if (rc != 0 && out.empty()) out = "validator failed to run";
    return rc == 0 ? "" : out;
  }

  std::unique_ptr<SubjectExports> exports_;
  std::unique_ptr<ExportLinks> links_;
};

TEST_F(SubjectExportTest, HoldsTheEndUsersMediaByteIdenticalAndNothingOfOthers_RGT1) {
  Principal who = MakeAccount("ada@example.com");
  Principal other_account = MakeAccount("grace@example.com");
  // Several pieces per file (the export reads 256 KiB at a time), one odd size.
  auto first = Mp4Bytes(700'001, 1);
  auto second = Mp4Bytes(64 * 1024, 2);
  MediaRecord a = Upload(who, "user-42", first, "Beach");
  MediaRecord b = Upload(who, "user-42", second, "Hike");
  MediaRecord not_theirs = Upload(who, "user-7", Mp4Bytes(30'000, 3), "Other user");
  MediaRecord other = Upload(other_account, "user-42", Mp4Bytes(30'000, 4), "Other account");
  AddUsage(who, "user-42", clock_.NowMillis() - kDayMs, "evt_mine");
  AddUsage(who, "user-7", clock_.NowMillis() - kDayMs, "evt_other_user");
  AddUsage(other_account, "user-42", clock_.NowMillis() - kDayMs, "evt_other_account");

  ExportSubject subject{who.account.customer_id, who.account.id, "user-42"};
  auto files = Export(subject, "gdpr");

  ASSERT_EQ(files.size(), 4u) << "README.txt, subject.json and two media files";
  EXPECT_NE(files["README.txt"].find("subject.json"), std::string::npos);
  EXPECT_NE(files["README.txt"].find("media/<id>.<ext>"), std::string::npos);
  EXPECT_EQ(files["media/" + a.id + ".mp4"], Text(first)) << "not byte-identical";
  EXPECT_EQ(files["media/" + b.id + ".mp4"], Text(second)) << "not byte-identical";

  const std::string& json = files["subject.json"];
  EXPECT_EQ(SchemaErrors(json), "");
  auto doc = boost::json::parse(json).as_object();
  EXPECT_EQ(doc["subject"].at("kind"), "end_user");
  EXPECT_EQ(doc["subject"].at("end_user"), "user-42");
  auto& media = doc["media"].as_array();
  ASSERT_EQ(media.size(), 2u);
  EXPECT_EQ(media[0].at("id"), boost::json::value(a.id));
  EXPECT_EQ(media[0].at("sha256"), boost::json::value(a.sha256));
  EXPECT_EQ(media[0].at("file"), boost::json::value("media/" + a.id + ".mp4"));
  EXPECT_EQ(media[1].at("title"), "Hike");
  auto& usage = doc["usage_events"].as_array();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].at("id"), "evt_mine");
  EXPECT_EQ(usage[0].at("ip"), "203.0.113.7");
  EXPECT_TRUE(doc["consents"].as_array().empty());
  EXPECT_EQ(doc["disclosures"].at("recipients").as_array().size(), 1u);
  for (const std::string& absent : {not_theirs.id, other.id, std::string("evt_other_user"),
                                    std::string("evt_other_account"), std::string("user-7")}) {
    EXPECT_EQ(json.find(absent), std::string::npos) << absent << " leaked into the export";
  }

  // The validator is real: a document off the schema fails.
  auto bad = doc;
  bad["media"].as_array()[0].as_object()["password"] = "x";
  bad.erase("consents");
  std::string errors = SchemaErrors(boost::json::serialize(bad));
  EXPECT_NE(errors.find("password"), std::string::npos) << errors;
  EXPECT_NE(errors.find("consents"), std::string::npos) << errors;
}

TEST_F(SubjectExportTest, CcpaKeepsTwelveMonthsOfUsageAndGdprKeepsAll_RGT3) {
  Principal who = MakeAccount("ada@example.com");
  const int64_t now = clock_.NowMillis();
  AddUsage(who, "user-42", now - 400 * kDayMs, "evt_13_months");
  AddUsage(who, "user-42", now - 364 * kDayMs, "evt_11_months");
  AddUsage(who, "user-42", now - 1000, "evt_today");
  ExportSubject subject{who.account.customer_id, who.account.id, "user-42"};

  auto ids = [](const std::string& json) {
    std::vector<std::string> out;
    boost::json::value doc = boost::json::parse(json);
    for (const auto& e : doc.at("usage_events").as_array()) {
      out.emplace_back(e.at("id").as_string());
    }
    return out;
  };
  auto ccpa = Export(subject, "ccpa");
  auto gdpr = Export(subject, "gdpr");
  EXPECT_EQ(ids(ccpa["subject.json"]), (std::vector<std::string>{"evt_11_months", "evt_today"}));
  EXPECT_EQ(ids(gdpr["subject.json"]),
            (std::vector<std::string>{"evt_13_months", "evt_11_months", "evt_today"}));
  EXPECT_EQ(SchemaErrors(ccpa["subject.json"]), "");
  auto lookback = boost::json::parse(ccpa["subject.json"]).at("lookback");
  EXPECT_EQ(lookback.at("months"), 12);
  EXPECT_EQ(boost::json::parse(gdpr["subject.json"]).at("lookback").at("months"), nullptr);
  // Exactly 12 calendar months back, same time of day.
  std::string today = FormatRfc3339(now);
  EXPECT_EQ(FormatRfc3339(SubjectExports::LookbackStart("ccpa", now)),
            std::to_string(std::stoi(today.substr(0, 4)) - 1) + today.substr(4));
  EXPECT_EQ(SubjectExports::LookbackStart("gdpr", now), 0);
}

TEST_F(SubjectExportTest, PagesOfUsageEventsStreamInOrder) {
  Principal who = MakeAccount("ada@example.com");
  std::vector<UsageEvent> events;
  for (int i = 0; i < 2'345; ++i) {  // three pages
    UsageEvent e;
    e.id = "evt_" + std::to_string(i);
    e.time_ms = clock_.NowMillis() - 1000 + i;
    e.account_id = who.account.id;
    e.credential_id = who.account.id;
    e.end_user = "user-42";
    e.method = "GET";
    e.route = "/v1/media";
    e.status = 200;
    events.push_back(e);
  }
  ASSERT_TRUE(
      metadata_->Transact([&](MetadataTx& tx) { return tx.InsertUsageEvents(events); }).ok());
  auto files = Export({who.account.customer_id, who.account.id, "user-42"}, "gdpr", 1000);
  auto usage = boost::json::parse(files["subject.json"]).at("usage_events").as_array();
  ASSERT_EQ(usage.size(), 2'345u);
  EXPECT_EQ(usage[0].at("id"), "evt_0");
  EXPECT_EQ(usage[2'344].at("id"), "evt_2344");
}

TEST_F(SubjectExportTest, ACustomersOwnExportHoldsItsProfileAndAccountsNotEndUsersContent_ACC9) {
  Principal who = MakeAccount("ada@example.com");
  Upload(who, "user-42", Mp4Bytes(20'000, 5), "End user's");
  AddUsage(who, "user-42", clock_.NowMillis() - kDayMs, "evt_end_user");
  auto key = accounts_->CreateKey(who.account.customer_id, who.account.id, origin_);
  ASSERT_TRUE(key.ok()) << key.status().ToString();

  auto files = Export({who.account.customer_id, "", ""}, "gdpr");
  ASSERT_EQ(files.size(), 2u) << "README.txt and subject.json only";
  const std::string& json = files["subject.json"];
  EXPECT_EQ(SchemaErrors(json), "");
  auto doc = boost::json::parse(json);
  EXPECT_EQ(doc.at("subject").at("kind"), "customer");
  EXPECT_EQ(doc.at("profile").at("email"), "ada@example.com");
  EXPECT_EQ(doc.at("accounts").as_array().size(), 1u);
  EXPECT_EQ(doc.at("api_keys").at(0).at("id"), boost::json::value(key->key.id));
  EXPECT_EQ(json.find(key->secret), std::string::npos) << "a secret leaked";
  EXPECT_EQ(json.find("evt_end_user"), std::string::npos);
  EXPECT_EQ(json.find("password"), std::string::npos);
  EXPECT_EQ(doc.at("retention").as_array().size(), 5u);
}

TEST_F(SubjectExportTest, UnknownSubjectsAndJurisdictionsAreRefused) {
  Principal who = MakeAccount("ada@example.com");
  Principal other = MakeAccount("grace@example.com");
  EXPECT_EQ(exports_->Open({who.account.customer_id, who.account.id, "u"}, "lgpd").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(
      exports_->Open({who.account.customer_id, other.account.id, "u"}, "gdpr").status().code(),
      Status::Code::kNotFound)
      << "another customer's account";
  EXPECT_EQ(exports_->Open({"cus_nobody", "", ""}, "gdpr").status().code(),
            Status::Code::kNotFound);
}

TEST_F(SubjectExportTest, ALinkWorksOnceAndIsAudited_RGT1) {
  Principal who = MakeAccount("ada@example.com");
  auto data = Mp4Bytes(100'000, 6);
  MediaRecord m = Upload(who, "user-42", data, "Once");
  ExportSubject subject{who.account.customer_id, who.account.id, "user-42"};
  auto issued = links_->Issue(who.account.customer_id, "prq_1", subject, "gdpr",
                              Actor::Customer(who.account.customer_id), origin_);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->expires_ms, clock_.NowMillis() + 24 * 3600 * 1000);
  EXPECT_EQ(issued->token.rfind("lex_", 0), 0u);
  EXPECT_EQ(metadata_->FindExportLink(issued->token).status().code(), Status::Code::kNotFound)
      << "the token itself must not be stored";

  auto redeemed = links_->Redeem(issued->token, origin_);
  ASSERT_TRUE(redeemed.ok()) << redeemed.status().ToString();
  EXPECT_EQ(redeemed->request_id, "prq_1");
  auto files = Entries(Drain(*redeemed->stream, 65'536, "link.zip"));
  EXPECT_EQ(files["media/" + m.id + ".mp4"], Text(data));

  auto again = links_->Redeem(issued->token, origin_);
  EXPECT_EQ(again.status().code(), Status::Code::kGone);
  EXPECT_EQ(again.status().reason(), "link-gone");
  EXPECT_EQ(links_->Redeem("lex_never-issued", origin_).status().code(), Status::Code::kNotFound);

  auto events = metadata_->ListAuditEvents(who.account.id, 0, 1000);
  ASSERT_TRUE(events.ok());
  int issues = 0, redemptions = 0;
  for (const AuditEvent& e : *events) {
    if (e.target != "prq_1") continue;
    issues += e.action == "export_link.issue";
    redemptions += e.action == "export_link.redeem";
    EXPECT_EQ(e.target.find("user-42"), std::string::npos);
  }
  EXPECT_EQ(issues, 1);
  EXPECT_EQ(redemptions, 1) << "the refused second use changes nothing";
}

TEST_F(SubjectExportTest, ALinkExpiresAfter24Hours_RGT1) {
  Principal who = MakeAccount("ada@example.com");
  ExportSubject subject{who.account.customer_id, who.account.id, "user-42"};
  auto late = links_->Issue(who.account.customer_id, "prq_2", subject, "ccpa",
                            Actor::Customer("cus_x"), origin_);
  auto in_time = links_->Issue(who.account.customer_id, "prq_3", subject, "ccpa",
                               Actor::Customer("cus_x"), origin_);
  ASSERT_TRUE(late.ok() && in_time.ok());
  clock_.Advance(24 * 3600 * 1000 - 1);
  EXPECT_TRUE(links_->Redeem(in_time->token, origin_).ok()) << "valid until the last millisecond";
  clock_.Advance(1);
  auto gone = links_->Redeem(late->token, origin_);
  EXPECT_EQ(gone.status().code(), Status::Code::kGone);
  EXPECT_EQ(gone.status().reason(), "link-gone");
  // Refused links stay unused: nothing changed.
  EXPECT_FALSE(metadata_->FindExportLink(TokenDigest(late->token))->used_ms.has_value());

  // A week after expiry the rows go: used and unused alike.
  clock_.Advance(ExportLinks::kKeptExpiredMs - 1);
  ASSERT_EQ(*links_->SweepExpired(), 0);
  EXPECT_EQ(links_->Check(late->token).status().code(), Status::Code::kGone);
  clock_.Advance(1);
  ASSERT_EQ(*links_->SweepExpired(), 0) << "expired exactly a week ago: kept";
  clock_.Advance(1);
  ASSERT_EQ(*links_->SweepExpired(), 2);
  EXPECT_EQ(links_->Check(late->token).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(links_->Check(in_time->token).status().code(), Status::Code::kNotFound);

  Principal other = MakeAccount("grace@example.com");
  EXPECT_EQ(links_
                ->Issue(who.account.customer_id, "prq_4",
                        {who.account.customer_id, other.account.id, "u"}, "gdpr",
                        Actor::Customer("cus_x"), origin_)
                .status()
                .code(),
            Status::Code::kNotFound)
      << "a link to another customer's account";
  EXPECT_EQ(links_
                ->Issue(who.account.customer_id, "prq_4", subject, "pipeda",
                        Actor::Customer("cus_x"), origin_)
                .status()
                .code(),
            Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace lethe
