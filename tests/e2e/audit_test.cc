// The tamper-evident audit log (SEC-1): every state change of an account is
// an event, chained by hashes; `lethe audit verify` checks the chain and names
// the first event where an edit, a removal or a reordering breaks it.
#include <algorithm>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

Headers Auth(const std::string& token) { return {{"Authorization", BearerHeader(token)}}; }

const char* const kAccountActions[] = {"account.create", "account.update", "account.token_rotate",
                                       "key.create", "key.revoke"};

struct History {
  std::string customer_id;
  std::string session;
  AccountInfo account;
  KeyInfo key;
  std::string rotated_token;
  std::string patch_request_id;  // X-Request-Id of the PATCH
};

// Customer-level events first, then the five account actions back to back.
History MakeHistory(HttpClient& client) {
  History h;
  std::string email = Unique("auditor") + "@example.com";
  SignUpResult s = SignUpFull(client, email);
  h.customer_id = s.customer_id;
  Response signin = client.Post(
      "/v1/sessions", json::value(json::object{{"email", email}, {"password", kPassword}}));
  EXPECT_EQ(signin.status, 201) << signin.Describe();
  h.session = Str(signin.Json(), "token");
  h.account = CreateAccount(client, h.session, "Audited", "eu");
  Response patch = client.Patch("/v1/accounts/" + h.account.id,
                                json::object{{"name", "Audited, renamed"}}, Auth(h.session));
  EXPECT_EQ(patch.status, 200) << patch.Describe();
  h.patch_request_id = patch.Header("x-request-id");
  Response rot =
      client.Post("/v1/accounts/" + h.account.id + "/token", std::string(), Auth(h.session));
  EXPECT_EQ(rot.status, 200) << rot.Describe();
  if (rot.status == 200) h.rotated_token = Str(rot.Json(), "api_token");
  h.key = CreateKey(client, h.session, h.account.id);
  Response del =
      client.Delete("/v1/accounts/" + h.account.id + "/keys/" + h.key.key_id, Auth(h.session));
  EXPECT_EQ(del.status, 204) << del.Describe();
  return h;
}

int64_t IntField(const json::value& v, std::string_view key) {
  const json::value* f = Field(v, key);
  if (f == nullptr || !f->is_int64()) {
    ADD_FAILURE() << "expected an integer '" << key << "' in " << json::serialize(v);
    return -1;
  }
  return f->as_int64();
}

// First "seq <N>" in the text, or -1.
int64_t NamedSeq(const std::string& text) {
  std::smatch m;
  static const std::regex re(R"(\bseq\s+(\d+))");
  if (!std::regex_search(text, m, re)) return -1;
  return std::stoll(m[1].str());
}

int64_t CountEvents(const std::string& db) {
  QueryResult q = Sql(db, "SELECT COUNT(*) FROM audit_events");
  EXPECT_TRUE(q.ok) << q.error;
  return q.ok ? std::stoll(q.rows[0][0].value_or("0")) : -1;
}

TEST(AuditTest, AccountActionsAreRecordedInOrderAndChained_SEC1) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  History h = MakeHistory(client);
  ASSERT_FALSE(h.account.id.empty());
  ASSERT_FALSE(h.key.key_id.empty());

  Response r = client.Get("/v1/accounts/" + h.account.id + "/audit", Auth(h.session));
  ASSERT_EQ(r.status, 200) << r.Describe();
  json::value v = r.Json();
  json::array listed = Arr(v, "events");
  std::vector<json::value> events(listed.begin(), listed.end());
  ASSERT_GE(events.size(), 5u) << r.body;
  EXPECT_NE(Field(v, "next_cursor"), nullptr) << "next_cursor present (string or null)";

  // Listed in seq order (either direction), no repeats.
  bool ascending = IntField(events.front(), "seq") < IntField(events.back(), "seq");
  for (size_t i = 1; i < events.size(); ++i) {
    int64_t a = IntField(events[i - 1], "seq"), b = IntField(events[i], "seq");
    EXPECT_TRUE(ascending ? a < b : a > b) << "events not in seq order at index " << i;
  }
  if (!ascending) std::reverse(events.begin(), events.end());

  std::vector<std::string> actions;
  std::vector<json::value> mine;  // the five account actions
  for (const auto& e : events) {
    std::string action = Str(e, "action");
    if (std::find(std::begin(kAccountActions), std::end(kAccountActions), action) !=
        std::end(kAccountActions)) {
      actions.push_back(action);
      mine.push_back(e);
    }
  }
  EXPECT_EQ(actions,
            std::vector<std::string>(std::begin(kAccountActions), std::end(kAccountActions)));
  ASSERT_EQ(mine.size(), 5u);

  for (size_t i = 0; i < mine.size(); ++i) {
    const json::value& e = mine[i];
    EXPECT_EQ(Keys(e), kAuditEventKeys) << json::serialize(e);
    EXPECT_EQ(Str(e, "id").rfind("aud_", 0), 0u) << json::serialize(e);
    EXPECT_TRUE(ParseRfc3339(Str(e, "time")).has_value()) << json::serialize(e);
    EXPECT_NE(Str(e, "actor").find(h.customer_id), std::string::npos)
        << "actor should name the customer " << h.customer_id << ": " << json::serialize(e);
    EXPECT_EQ(Str(e, "actor_kind"), "customer") << json::serialize(e);  // a typed actor (SEC-1)
    EXPECT_FALSE(Str(e, "target").empty());
    EXPECT_EQ(Str(e, "ip"), "127.0.0.1");
    EXPECT_EQ(Str(e, "request_id").rfind("req_", 0), 0u) << json::serialize(e);
    std::string hash = Str(e, "hash");
    EXPECT_EQ(hash.size(), 64u) << hash;
    EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
    if (i > 0) {
      // The five were made back to back, so they are adjacent in the chain.
      EXPECT_EQ(IntField(e, "seq"), IntField(mine[i - 1], "seq") + 1);
      EXPECT_EQ(Str(e, "prev_hash"), Str(mine[i - 1], "hash")) << "chain broken at " << i;
    }
  }
  EXPECT_EQ(Str(mine[1], "request_id"), h.patch_request_id)
      << "the update event names the request (X-Request-Id) that made it";
  EXPECT_NE(Str(mine[3], "target").find(h.key.key_id), std::string::npos)
      << "key.create names the key: " << json::serialize(mine[3]);
  EXPECT_NE(Str(mine[4], "target").find(h.key.key_id), std::string::npos)
      << "key.revoke names the key: " << json::serialize(mine[4]);

  // SEC-2: no secret in the audit trail.
  EXPECT_EQ(r.body.find(h.account.api_token), std::string::npos);
  EXPECT_EQ(r.body.find(h.rotated_token), std::string::npos);
  EXPECT_EQ(r.body.find(h.key.secret), std::string::npos);

  // Pagination walks the same events.
  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 50; ++page) {
    std::string path = "/v1/accounts/" + h.account.id + "/audit?limit=2";
    if (!cursor.empty()) path += "&cursor=" + cursor;
    Response p = client.Get(path, Auth(h.session));
    ASSERT_EQ(p.status, 200) << p.Describe();
    json::value pv = p.Json();
    EXPECT_LE(Arr(pv, "events").size(), 2u);
    for (const auto& e : Arr(pv, "events")) paged.push_back(Str(e, "id"));
    const json::value* next = Field(pv, "next_cursor");
    if (next == nullptr || !next->is_string()) break;
    cursor = std::string(next->as_string());
  }
  std::vector<std::string> all_ids;
  for (const auto& e : Arr(v, "events")) all_ids.push_back(Str(e, "id"));
  EXPECT_EQ(paged, all_ids);

  // The whole stored chain links up, from the genesis hash on.
  QueryResult q =
      Sql(server.db_path(), "SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq");
  ASSERT_TRUE(q.ok) << q.error;
  ASSERT_GE(q.rows.size(), 6u);
  for (size_t i = 0; i < q.rows.size(); ++i) {
    EXPECT_EQ(q.rows[i][0].value_or(""), std::to_string(i + 1)) << "seq starts at 1, no gaps";
    if (i > 0) {
      EXPECT_EQ(q.rows[i][1], q.rows[i - 1][2]) << "stored chain broken at row " << i;
    }
  }
  QueryResult signup =
      Sql(server.db_path(), "SELECT COUNT(*) FROM audit_events WHERE action = 'customer.signup'");
  ASSERT_TRUE(signup.ok) << signup.error;
  EXPECT_EQ(signup.rows[0][0].value_or(""), "1") << "the sign-up itself is audited";

  EXPECT_EQ(server.Stop(), 0) << "unclean shutdown (checks go on)";
  CommandResult verify = AuditVerify(server.data_dir());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("ok: " + std::to_string(q.rows.size()) + " events"),
            std::string::npos)
      << verify.output;
}

// SEC-1: concurrent changes still form one unbroken chain (no two events
// link to the same predecessor).
TEST(AuditTest, ConcurrentChangesKeepOneChain_SEC1) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  std::string session = SignUp(client, Unique("busy") + "@example.com");
  ASSERT_FALSE(session.empty());
  AccountInfo a = CreateAccount(client, session, "Busy", "us");
  ASSERT_FALSE(a.id.empty());
  constexpr int kThreads = 4, kEach = 6;
  std::vector<std::thread> threads;
  std::vector<int> ok(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server.base_url());
      for (int i = 0; i < kEach; ++i) {
        Response r;
        switch (i % 3) {
          case 0:
            r = c.Patch("/v1/accounts/" + a.id,
                        json::object{{"name", "n" + std::to_string(t) + "-" + std::to_string(i)}},
                        Auth(session));
            ok[t] += r.status == 200;
            break;
          case 1:
            r = c.Post("/v1/accounts/" + a.id + "/keys", std::string(), Auth(session));
            ok[t] += r.status == 201;
            break;
          default:
            r = c.Post("/v1/accounts", json::value(json::object{{"name", "c"}, {"region", "eu"}}),
                       Auth(session));
            ok[t] += r.status == 201;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(ok[t], kEach) << "thread " << t;

  QueryResult q =
      Sql(server.db_path(), "SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq");
  ASSERT_TRUE(q.ok) << q.error;
  EXPECT_GE(q.rows.size(), static_cast<size_t>(kThreads * kEach + 2));
  std::set<std::string> prevs;
  for (size_t i = 0; i < q.rows.size(); ++i) {
    EXPECT_TRUE(prevs.insert(q.rows[i][1].value_or("")).second)
        << "two events link to the same predecessor at seq " << q.rows[i][0].value_or("");
    if (i > 0) {
      EXPECT_EQ(q.rows[i][1], q.rows[i - 1][2])
          << "chain forked at seq " << q.rows[i][0].value_or("");
    }
  }
  EXPECT_EQ(server.Stop(), 0) << "unclean shutdown (checks go on)";
  CommandResult verify = AuditVerify(server.data_dir());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

// Builds a history in a fresh server, stops it, checks the chain is intact
// and returns the number of events.
class AuditTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok());
    HttpClient client(server_->base_url());
    History h = MakeHistory(client);
    ASSERT_FALSE(h.key.key_id.empty());
    EXPECT_EQ(server_->Stop(), 0) << "unclean shutdown (checks go on)";
    CommandResult before = AuditVerify(server_->data_dir());
    ASSERT_EQ(before.exit_code, 0) << "intact store must verify: " << before.output;
    n_ = CountEvents(server_->db_path());
    ASSERT_GE(n_, 6);
    middle_ = n_ / 2;  // 1 < middle < n
    ASSERT_GT(middle_, 1);
    ASSERT_LT(middle_ + 1, n_);
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  std::string ActionAt(int64_t seq) {
    QueryResult q = Sql(server_->db_path(),
                        "SELECT action FROM audit_events WHERE seq = " + std::to_string(seq));
    EXPECT_TRUE(q.ok && q.rows.size() == 1) << q.error;
    return q.rows.empty() ? "" : q.rows[0][0].value_or("");
  }

  std::unique_ptr<ServerProcess> server_;
  int64_t n_ = 0;
  int64_t middle_ = 0;
};

TEST_F(AuditTamperTest, EditedEventIsNamed_SEC1) {
  std::string m = std::to_string(middle_);
  ASSERT_EQ(SqlScript(server_->db_path(),
                      "UPDATE audit_events SET action = 'customer.delete' WHERE seq = " + m),
            "");
  ASSERT_EQ(ActionAt(middle_), "customer.delete");
  CommandResult r = AuditVerify(server_->data_dir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(NamedSeq(r.output), middle_) << r.output;
}

TEST_F(AuditTamperTest, EditedTimeIsNamed_SEC1) {
  std::string m = std::to_string(middle_ + 1);
  ASSERT_EQ(SqlScript(server_->db_path(),
                      "UPDATE audit_events SET time_ms = time_ms - 86400000 WHERE seq = " + m),
            "");
  CommandResult r = AuditVerify(server_->data_dir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(NamedSeq(r.output), middle_ + 1) << r.output;
}

TEST_F(AuditTamperTest, DeletedEventIsNamed_SEC1) {
  ASSERT_EQ(SqlScript(server_->db_path(),
                      "DELETE FROM audit_events WHERE seq = " + std::to_string(middle_)),
            "");
  ASSERT_EQ(CountEvents(server_->db_path()), n_ - 1);
  CommandResult r = AuditVerify(server_->data_dir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  // The gap is at `middle_`; the first surviving event after it is middle_+1.
  int64_t named = NamedSeq(r.output);
  EXPECT_TRUE(named == middle_ || named == middle_ + 1)
      << "expected seq " << middle_ << " or " << middle_ + 1 << ": " << r.output;
}

TEST_F(AuditTamperTest, DeletedNewestEventsAreNamed_SEC1) {
  // The chain alone cannot see its tail cut off; the anchor outside the
  // database can.
  ASSERT_EQ(SqlScript(server_->db_path(),
                      "DELETE FROM audit_events WHERE seq >= " + std::to_string(n_ - 1)),
            "");
  ASSERT_EQ(CountEvents(server_->db_path()), n_ - 2);
  CommandResult r = AuditVerify(server_->data_dir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(NamedSeq(r.output), n_ - 1) << r.output;
}

TEST_F(AuditTamperTest, DeletedFirstEventIsNamed_SEC1) {
  // Removing the first event breaks the link to the genesis hash.
  ASSERT_EQ(SqlScript(server_->db_path(), "DELETE FROM audit_events WHERE seq = 1"), "");
  CommandResult r = AuditVerify(server_->data_dir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  int64_t named = NamedSeq(r.output);
  EXPECT_TRUE(named == 1 || named == 2) << r.output;
}

TEST_F(AuditTamperTest, ReorderedEventsAreNamed_SEC1) {
  const std::string a = std::to_string(middle_), b = std::to_string(middle_ + 1);
  const std::string before_a = ActionAt(middle_), before_b = ActionAt(middle_ + 1);
  ASSERT_NE(before_a, before_b) << "pick two different events to swap";
  const std::string cols =
      "id, time_ms, actor, action, target, account_id, ip, request_id, prev_hash, hash";
  std::string err = SqlScript(
      server_->db_path(),
      "CREATE TEMP TABLE swap AS SELECT * FROM audit_events WHERE seq IN (" + a + ", " + b +
          ");"
          "UPDATE audit_events SET (" +
          cols + ") = (SELECT " + cols + " FROM swap WHERE swap.seq = CASE audit_events.seq WHEN " +
          a + " THEN " + b + " ELSE " + a + " END) WHERE seq IN (" + a + ", " + b + ");");
  ASSERT_EQ(err, "");
  ASSERT_EQ(ActionAt(middle_), before_b) << "swap did not happen";
  ASSERT_EQ(ActionAt(middle_ + 1), before_a) << "swap did not happen";
  CommandResult r = AuditVerify(server_->data_dir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(NamedSeq(r.output), middle_) << r.output;
}

}  // namespace
}  // namespace lethe::e2e
