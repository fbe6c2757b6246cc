// USE-6: legal holds, end to end. Staff are made with `lethe staff add` on
// a stopped data directory (refused beside a running server); a legal
// staff member signs in and, under an access grant on the account (USE-4),
// places holds over HTTP with a staff session; the customer sees
// its holds (scope and dates, never the reason or matter) except
// non-disclosure ones; holds are released; wrong roles get 403, customer
// credentials on staff routes and staff tokens elsewhere 401; an unknown
// scope is 404; every staff action is in the audit chain, which verifies.
#include <gtest/gtest.h>

#include <sstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

class LegalHoldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>();
    ASSERT_TRUE(server_->ok());
    // Refused beside the running server: it holds the data directory.
    CommandResult locked = RunCommand({LETHE_BINARY, "staff", "add", "--role", "legal", "--name",
                                       "Early", "--data", server_->data_dir()});
    EXPECT_EQ(locked.exit_code, 2) << locked.output;
    EXPECT_NE(locked.output.find("data-dir-locked"), std::string::npos) << locked.output;
    ASSERT_EQ(server_->Stop(), 0);
    legal_ = AddStaff(server_->data_dir(), "legal");
    support_ = AddStaff(server_->data_dir(), "support");
    ASSERT_FALSE(HasFailure());
    // Stored hashed and sealed only.
    EXPECT_TRUE(FilesContaining(server_->data_dir(), legal_.password).empty());
    EXPECT_TRUE(FilesContaining(server_->data_dir(), legal_.totp_secret).empty());
    ASSERT_TRUE(server_->Restart());
    client_.set_base_url(server_->base_url());
    tenant_ = NewTenant(client_, "holds");
    ASSERT_TRUE(SignInStaff(*server_, &legal_));
    ASSERT_TRUE(SignInStaff(*server_, &support_));
    grant_ = GrantAccess(*server_, legal_, tenant_.account.id, {"legal"});
    ASSERT_FALSE(grant_.empty());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  Response Place(const StaffMember& who, boost::json::object body) {
    return client_.Post("/v1/staff/legal-holds", boost::json::value(std::move(body)),
                        BearerAuth(who.token));
  }
  boost::json::object Hold(const std::string& scope) {
    return {{"scope", scope},
            {"account", tenant_.account.id},
            {"reason", "Doe v. App: preserve evidence"},
            {"matter", "MAT-2041"}};
  }
  Response CustomerList() {
    return client_.Get("/v1/accounts/" + tenant_.account.id + "/legal-holds",
                       BearerAuth(tenant_.session));
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  StaffMember legal_, support_;
  Tenant tenant_;
  std::string grant_;
};

TEST_F(LegalHoldTest, StaffHoldAnEndUserTheCustomerSeesItWithoutTheReason_USE6) {
  const std::string ref = Unique("held-end-user");
  ASSERT_EQ(
      UploadBytes(client_, tenant_.token(), SamplePng(), "image/png", "end_user=" + ref).status,
      201);
  boost::json::object on_user = Hold("end_user");
  on_user["end_user"] = ref;
  on_user["ends_at"] = "2999-01-01T00:00:00Z";
  Response placed = Place(legal_, on_user);
  ASSERT_EQ(placed.status, 201) << placed.Describe();
  std::string hold_id = Str(placed.Json(), "id");
  EXPECT_EQ(hold_id.rfind("hld_", 0), 0u);
  EXPECT_EQ(Str(placed.Json(), "state"), "active");
  EXPECT_EQ(Str(placed.Json(), "placed_by"), legal_.id);
  EXPECT_EQ(Str(placed.Json(), "subject").rfind("kh_", 0), 0u) << "a keyed hash, not the ref";
  EXPECT_EQ(placed.body.find(ref), std::string::npos);

  boost::json::object secret = Hold("account");
  secret["non_disclosure"] = true;
  secret["matter"] = "SEALED-77";
  Response hidden = Place(legal_, secret);
  ASSERT_EQ(hidden.status, 201) << hidden.Describe();
  std::string hidden_id = Str(hidden.Json(), "id");

  Response seen = CustomerList();
  ASSERT_EQ(seen.status, 200) << seen.Describe();
  boost::json::array holds = Arr(seen.Json(), "holds");
  ASSERT_EQ(holds.size(), 1u) << seen.body;
  EXPECT_EQ(Keys(holds[0]), SortedKeys({"id", "account_id", "scope", "subject", "state",
                                        "placed_at", "ends_at", "released_at"}));
  EXPECT_EQ(Str(holds[0], "id"), hold_id);
  EXPECT_EQ(Str(holds[0], "scope"), "end_user");
  EXPECT_EQ(Str(holds[0], "ends_at"), "2999-01-01T00:00:00.000Z");
  for (const char* never : {"Doe v. App", "MAT-2041", "reason", "matter"}) {
    EXPECT_EQ(seen.body.find(never), std::string::npos) << never;
  }
  EXPECT_EQ(seen.body.find(hidden_id), std::string::npos) << "non-disclosure";
  Response trail = client_.Get("/v1/accounts/" + tenant_.account.id + "/audit?limit=1000",
                               BearerAuth(tenant_.session));
  ASSERT_EQ(trail.status, 200);
  EXPECT_NE(trail.body.find(hold_id), std::string::npos) << "a disclosed hold is on the trail";
  EXPECT_EQ(trail.body.find(hidden_id), std::string::npos) << "a non-disclosure one is not";

  Response all =
      client_.Get("/v1/staff/legal-holds?account=" + tenant_.account.id, BearerAuth(legal_.token));
  ASSERT_EQ(all.status, 200) << all.Describe();
  ASSERT_EQ(Arr(all.Json(), "holds").size(), 2u);
  EXPECT_NE(all.body.find("SEALED-77"), std::string::npos);

  Response released =
      client_.Post("/v1/staff/legal-holds/" + hold_id + "/release", "", BearerAuth(legal_.token));
  ASSERT_EQ(released.status, 200) << released.Describe();
  EXPECT_EQ(Str(released.Json(), "state"), "released");
  EXPECT_EQ(Str(released.Json(), "released_by"), legal_.id);
  Response after = CustomerList();
  ASSERT_EQ(Arr(after.Json(), "holds").size(), 1u);
  EXPECT_EQ(Str(Arr(after.Json(), "holds")[0], "state"), "released");
  EXPECT_FALSE(Str(Arr(after.Json(), "holds")[0], "released_at").empty());

  // Another customer cannot look.
  std::string stranger = SignUp(client_, Unique("stranger") + "@example.com");
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/accounts/" + tenant_.account.id + "/legal-holds", BearerAuth(stranger)), 404,
      "not-found");

  // Every staff action is in the chain, under the staff id; the chain holds.
  ASSERT_EQ(server_->Stop(), 0);
  QueryResult actions =
      Sql(server_->db_path(),
          "SELECT action, target FROM audit_events WHERE actor = '" + legal_.id + "' ORDER BY seq");
  ASSERT_TRUE(actions.ok) << actions.error;
  std::vector<std::string> got;
  for (const Row& r : actions.rows) got.push_back(*r[0] + " " + *r[1]);
  EXPECT_EQ(got, (std::vector<std::string>{
                     "staff.session.create " + legal_.id, "access_grant.create " + grant_,
                     "legal_hold.place " + hold_id, "legal_hold.place " + hidden_id,
                     "legal_hold.list " + tenant_.account.id, "legal_hold.release " + hold_id}));
  QueryResult created =
      Sql(server_->db_path(), "SELECT COUNT(*) FROM audit_events WHERE action = 'staff.create'");
  ASSERT_TRUE(created.ok);
  EXPECT_EQ(*created.rows[0][0], "2");
  QueryResult subjects = Sql(server_->db_path(), "SELECT subject FROM legal_holds");
  ASSERT_TRUE(subjects.ok);
  for (const Row& r : subjects.rows) EXPECT_NE(r[0].value_or(""), ref);
  CommandResult verified = AuditVerify(server_->data_dir());
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST_F(LegalHoldTest, RolesAndCredentialsAreKeptApart_USE6) {
  // A support member is known but not allowed: 403 on every hold route.
  LETHE_EXPECT_PROBLEM(Place(support_, Hold("account")), 403, "forbidden");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/legal-holds?account=" + tenant_.account.id,
                                   BearerAuth(support_.token)),
                       403, "forbidden");
  Response placed = Place(legal_, Hold("account"));
  ASSERT_EQ(placed.status, 201) << placed.Describe();
  std::string id = Str(placed.Json(), "id");
  LETHE_EXPECT_PROBLEM(
      client_.Post("/v1/staff/legal-holds/" + id + "/release", "", BearerAuth(support_.token)), 403,
      "forbidden");
  // Customer credentials open no staff route.
  for (const std::string& customer : {tenant_.session, tenant_.token()}) {
    LETHE_EXPECT_PROBLEM(Place({"", "", "", customer}, Hold("account")), 401, "unauthenticated");
    LETHE_EXPECT_PROBLEM(
        client_.Get("/v1/staff/legal-holds?account=" + tenant_.account.id, BearerAuth(customer)),
        401, "unauthenticated");
  }
  // Staff tokens open no customer or data-plane route.
  for (const std::string& path :
       {std::string("/v1/account"), std::string("/v1/media"), std::string("/v1/usage"),
        std::string("/v1/me"), "/v1/accounts/" + tenant_.account.id + "/legal-holds"}) {
    LETHE_EXPECT_PROBLEM(client_.Get(path, BearerAuth(legal_.token)), 401, "unauthenticated");
  }
  EXPECT_EQ(client_.Delete("/v1/end-users/someone", BearerAuth(legal_.token)).status, 401);
  // Nothing was released by the refused attempts.
  Response list =
      client_.Get("/v1/staff/legal-holds?account=" + tenant_.account.id, BearerAuth(legal_.token));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Str(Arr(list.Json(), "holds")[0], "state"), "active");
}

TEST_F(LegalHoldTest, UnknownScopesAre404AndBadFields400_USE6) {
  // No grant can name an unknown account, so none opens it (USE-4).
  boost::json::object no_account = Hold("account");
  no_account["account"] = "acc_doesnotexist000000";
  LETHE_EXPECT_PROBLEM(Place(legal_, no_account), 403, "no-access-grant");
  boost::json::object no_media = Hold("media");
  no_media["media"] = "med_doesnotexist000000";
  LETHE_EXPECT_PROBLEM(Place(legal_, no_media), 404, "not-found");
  boost::json::object nobody = Hold("end_user");
  nobody["end_user"] = Unique("never-seen");
  LETHE_EXPECT_PROBLEM(Place(legal_, nobody), 404, "not-found");
  // Another account's media is unknown to this one.
  Tenant other = NewTenant(client_, "holds-other");
  Response theirs = UploadBytes(client_, other.token(), SamplePng(), "image/png");
  ASSERT_EQ(theirs.status, 201);
  boost::json::object cross = Hold("media");
  cross["media"] = Str(theirs.Json(), "id");
  LETHE_EXPECT_PROBLEM(Place(legal_, cross), 404, "not-found");
  cross["account"] = other.account.id;
  LETHE_EXPECT_PROBLEM(Place(legal_, cross), 403, "no-access-grant");
  ASSERT_FALSE(GrantAccess(*server_, legal_, other.account.id, {"legal"}).empty());
  EXPECT_EQ(Place(legal_, cross).status, 201) << "the same media in its own account";
  LETHE_EXPECT_PROBLEM(client_.Post("/v1/staff/legal-holds/hld_doesnotexist00000/release", "",
                                    BearerAuth(legal_.token)),
                       404, "not-found");
  LETHE_EXPECT_PROBLEM(
      client_.Get("/v1/staff/legal-holds?account=acc_nope", BearerAuth(legal_.token)), 403,
      "no-access-grant");

  boost::json::object bad_scope = Hold("galaxy");
  LETHE_EXPECT_PROBLEM(Place(legal_, bad_scope), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(Place(legal_, Hold("end_user")), 400, "invalid-field");
  boost::json::object past = Hold("account");
  past["ends_at"] = "2001-01-01T00:00:00Z";
  LETHE_EXPECT_PROBLEM(Place(legal_, past), 400, "invalid-field");
  boost::json::object garbled = Hold("account");
  garbled["ends_at"] = "next tuesday";
  LETHE_EXPECT_PROBLEM(Place(legal_, garbled), 400, "invalid-field");
  boost::json::object flag = Hold("account");
  flag["non_disclosure"] = "yes";
  LETHE_EXPECT_PROBLEM(Place(legal_, flag), 400, "invalid-field");
  boost::json::object extra = Hold("account");
  extra["color"] = "red";
  LETHE_EXPECT_PROBLEM(Place(legal_, extra), 400, "unknown-field");
  boost::json::object no_reason = Hold("account");
  no_reason.erase("reason");
  LETHE_EXPECT_PROBLEM(Place(legal_, no_reason), 400, "invalid-field");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/staff/legal-holds", BearerAuth(legal_.token)), 400,
                       "invalid-field");
  Response none = CustomerList();
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(Arr(none.Json(), "holds").empty()) << none.body;
}

// The end date: the hold stops covering then, and the server's sweep
// releases it (as "lethe:legal-holds"). The clock is moved, not waited for.
TEST(LegalHoldEndTest, AHoldIsReleasedByTheServerOnItsEndDate_USE6) {
  auto server = StartTestClockServer();
  ASSERT_TRUE(server && server->ok());
  ASSERT_EQ(server->Stop(), 0);
  StaffMember legal = AddStaff(server->data_dir(), "admin");
  ASSERT_TRUE(server->Restart());
  HttpClient client(server->base_url());
  Tenant t = NewTenant(client, "hold-ends");
  ASSERT_TRUE(SignInStaff(*server, &legal));
  ASSERT_FALSE(GrantAccess(*server, legal, t.account.id, {"legal"}).empty());
  boost::json::object body{
      {"scope", "account"},
      {"account", t.account.id},
      {"reason", "audit request"},
      {"matter", "MAT-9"},
      {"ends_at", Rfc3339Millis(std::chrono::system_clock::now() + std::chrono::hours(1))}};
  Response placed =
      client.Post("/v1/staff/legal-holds", boost::json::value(body), BearerAuth(legal.token));
  ASSERT_EQ(placed.status, 201) << placed.Describe();
  auto state = [&] {
    Response r = client.Get("/v1/accounts/" + t.account.id + "/legal-holds", BearerAuth(t.session));
    return r.status == 200 && Arr(r.Json(), "holds").size() == 1
               ? Str(Arr(r.Json(), "holds")[0], "state")
               : r.Describe();
  };
  EXPECT_EQ(state(), "active");
  ASSERT_TRUE(AdvanceClock(*server, 3601));
  EXPECT_TRUE(WaitFor([&] { return state() == "released"; }, std::chrono::seconds(15))) << state();
  server->Stop();
  QueryResult lapse =
      Sql(server->db_path(), "SELECT actor FROM audit_events WHERE action = 'legal_hold.lapse'");
  ASSERT_TRUE(lapse.ok) << lapse.error;
  ASSERT_EQ(lapse.rows.size(), 1u);
  EXPECT_EQ(*lapse.rows[0][0], "lethe:legal-holds");
  EXPECT_EQ(AuditVerify(server->data_dir()).exit_code, 0);
}

// USE-6 with USE-5: while a hold applies, erasures on its scope are
// recorded as held (202, "state": "held") and nothing is destroyed; the
// release runs them at once.
TEST_F(LegalHoldTest, HeldErasuresWaitForTheReleaseThenRun_USE6) {
  const std::string ref = Unique("held-eu");
  Response media = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png",
                               "end_user=" + ref + "&title=held-title");
  Response loose = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png", "title=loose");
  ASSERT_EQ(media.status, 201);
  ASSERT_EQ(loose.status, 201);
  const std::string media_id = Str(media.Json(), "id");
  boost::json::object on_user = Hold("end_user");
  on_user["end_user"] = ref;
  Response placed = Place(legal_, on_user);
  ASSERT_EQ(placed.status, 201) << placed.Describe();

  Response erase = client_.Delete("/v1/end-users/" + ref, BearerAuth(tenant_.token()));
  ASSERT_EQ(erase.status, 202) << erase.Describe();
  EXPECT_EQ(Str(erase.Json(), "state"), "held");
  EXPECT_TRUE(erase.Json().as_object().at("keys_destroyed_at").is_null());
  Response del = client_.Delete("/v1/media/" + media_id, BearerAuth(tenant_.token()));
  ASSERT_EQ(del.status, 202) << del.Describe();
  EXPECT_EQ(Str(del.Json(), "state"), "held");
  // Asking again adds nothing: the same held erasure.
  Response again = client_.Delete("/v1/end-users/" + ref, BearerAuth(tenant_.token()));
  EXPECT_EQ(Str(again.Json(), "id"), Str(erase.Json(), "id"));
  // Nothing was destroyed: the media still reads, byte for byte.
  Response content = client_.Get("/v1/media/" + media_id + "/content", BearerAuth(tenant_.token()));
  ASSERT_EQ(content.status, 200);
  EXPECT_EQ(content.body, SamplePng());
  // Media outside the hold is erased as usual.
  Response free =
      client_.Delete("/v1/media/" + Str(loose.Json(), "id"), BearerAuth(tenant_.token()));
  EXPECT_EQ(Str(free.Json(), "state"), "keys-destroyed");

  Response released = client_.Post("/v1/staff/legal-holds/" + Str(placed.Json(), "id") + "/release",
                                   "", BearerAuth(legal_.token));
  ASSERT_EQ(released.status, 200) << released.Describe();
  for (const Response* r : {&erase, &del}) {
    const std::string path = "/v1/erasures/" + Str(r->Json(), "id");
    EXPECT_TRUE(WaitFor([&] {
      Response e = client_.Get(path, BearerAuth(tenant_.token()));
      return e.status == 200 && Str(e.Json(), "state") == "done";
    })) << path;
  }
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media/" + media_id, BearerAuth(tenant_.token())), 404,
                       "not-found");
  EXPECT_EQ(ListAllMedia(client_, tenant_.token()).size(), 0u);
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_EQ(FilesContaining(server_->data_dir(), "held-title"), std::vector<std::string>{});
  EXPECT_EQ(AuditVerify(server_->data_dir()).exit_code, 0);
}

// An account hold keeps a closed account's content: access ends, keys stay
// until the release.
TEST_F(LegalHoldTest, AClosedAccountUnderHoldKeepsItsContentUntilRelease_USE6_ACC10) {
  Response media = UploadBytes(client_, tenant_.token(), SamplePng(), "image/png", "title=kept");
  ASSERT_EQ(media.status, 201);
  Response placed = Place(legal_, Hold("account"));
  ASSERT_EQ(placed.status, 201) << placed.Describe();
  Response closed =
      client_.Delete("/v1/accounts/" + tenant_.account.id, BearerAuth(tenant_.session));
  ASSERT_EQ(closed.status, 202) << closed.Describe();
  EXPECT_EQ(Str(closed.Json(), "state"), "held");
  LETHE_EXPECT_PROBLEM(client_.Get("/v1/media", BearerAuth(tenant_.token())), 401,
                       "unauthenticated");
  EXPECT_EQ(BlobFiles(*server_).size(), 1u);
  ASSERT_EQ(client_
                .Post("/v1/staff/legal-holds/" + Str(placed.Json(), "id") + "/release", "",
                      BearerAuth(legal_.token))
                .status,
            200);
  const std::string receipt =
      "/v1/accounts/" + tenant_.account.id + "/erasures/" + Str(closed.Json(), "id");
  EXPECT_TRUE(WaitFor([&] {
    Response e = client_.Get(receipt, BearerAuth(tenant_.session));
    return e.status == 200 && Str(e.Json(), "state") == "done";
  }));
  EXPECT_TRUE(WaitFor([&] { return BlobFiles(*server_).empty(); }));
}

}  // namespace
}  // namespace lethe::e2e
