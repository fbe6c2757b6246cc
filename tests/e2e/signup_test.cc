// Sign-up end to end: ACC-1 (the fields asked), SEC-2 (passwords kept secret),
// SEC-4 (the age gate, which stores nothing about a refused person).
#include <unistd.h>

#include <memory>
#include <thread>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

class SignupTest : public SharedServerTest<SignupTest> {
 protected:
  json::object Required(const std::string& email) {
    return json::object{{"name", "Ada Lovelace"},
                        {"email", email},
                        {"password", kPassword},
                        {"country", "GB"},
                        {"birth_date", "1985-12-10"}};
  }
  Response SignupRaw(const json::object& body) {
    return client_.Post("/v1/signup", json::value(body));
  }
};

// ACC-1: exactly name, email, password, country and birth date are enough.
TEST_F(SignupTest, RequiredFieldsOnlySucceeds_ACC1) {
  std::string email = Unique("ada") + "@example.com";
  Response r = SignupRaw(Required(email));
  ASSERT_EQ(r.status, 201) << r.Describe();
  json::value v = r.Json();
  const json::value* customer = Field(v, "customer");
  const json::value* session = Field(v, "session");
  ASSERT_NE(customer, nullptr) << r.body;
  ASSERT_NE(session, nullptr) << r.body;

  // Exactly the documented Customer members: nothing else leaks out.
  EXPECT_EQ(Keys(*customer), kCustomerKeys) << r.body;
  EXPECT_EQ(Keys(*session), SortedKeys({"token", "expires_at"})) << r.body;
  std::string id = Str(*customer, "id");
  EXPECT_EQ(id.rfind("cus_", 0), 0u) << id;
  EXPECT_GT(id.size(), 8u) << "id looks too short to be random: " << id;
  EXPECT_EQ(Str(*customer, "name"), "Ada Lovelace");
  EXPECT_EQ(Str(*customer, "email"), email);
  EXPECT_EQ(Str(*customer, "country"), "GB");
  EXPECT_EQ(Str(*customer, "birth_date"), "1985-12-10");
  EXPECT_TRUE(ParseRfc3339(Str(*customer, "created_at")).has_value()) << r.body;
  for (const char* optional : {"company", "job_title", "use_case", "phone"}) {
    const json::value* f = Field(*customer, optional);
    EXPECT_TRUE(f == nullptr || f->is_null() || (f->is_string() && f->as_string().empty()))
        << optional << " should be empty when not given: " << r.body;
  }
  // SEC-2: neither the password nor any hash of it is echoed.
  EXPECT_EQ(r.body.find(kPassword), std::string::npos);
  EXPECT_EQ(Field(*customer, "password"), nullptr);
  EXPECT_EQ(Field(*customer, "password_hash"), nullptr);

  std::string token = Str(*session, "token");
  EXPECT_GE(token.size(), 16u);
  auto expires = ParseRfc3339(Str(*session, "expires_at"));
  ASSERT_TRUE(expires.has_value()) << r.body;
  auto expected = std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
  EXPECT_LT(std::chrono::abs(*expires - expected), std::chrono::minutes(5))
      << "session should expire 30 days after sign-in: " << r.body;

  // The session works.
  Response me = client_.Get("/v1/me", {{"Authorization", BearerHeader(token)}});
  ASSERT_EQ(me.status, 200) << me.Describe();
  EXPECT_EQ(Str(me.Json(), "id"), id);
}

TEST_F(SignupTest, OptionalFieldsAreKept_ACC1) {
  std::string email = Unique("grace") + "@example.com";
  json::object body = Required(email);
  body["company"] = "Analytical Engines Ltd";
  body["job_title"] = "Programmer";
  body["use_case"] = "Lecture recordings";
  body["phone"] = "+44 20 7946 0000";
  Response r = SignupRaw(body);
  ASSERT_EQ(r.status, 201) << r.Describe();
  json::value v = r.Json();
  std::string token = Str(*Field(v, "session"), "token");
  for (const json::value& c :
       {*Field(v, "customer"),
        client_.Get("/v1/me", {{"Authorization", BearerHeader(token)}}).Json()}) {
    EXPECT_EQ(Str(c, "company"), "Analytical Engines Ltd");
    EXPECT_EQ(Str(c, "job_title"), "Programmer");
    EXPECT_EQ(Str(c, "use_case"), "Lecture recordings");
    EXPECT_EQ(Str(c, "phone"), "+44 20 7946 0000");
  }
}

TEST_F(SignupTest, EachRequiredFieldIsRequired_ACC1) {
  std::string email = Unique("req") + "@example.com";
  for (const char* missing : {"name", "email", "password", "country", "birth_date"}) {
    json::object body = Required(email);
    body.erase(missing);
    Response r = SignupRaw(body);
    LETHE_EXPECT_PROBLEM(r, 400, "invalid-field") << " missing " << missing;
  }
  // None of these attempts created the customer.
  Response ok = SignupRaw(Required(email));
  EXPECT_EQ(ok.status, 201) << ok.Describe();
}

TEST_F(SignupTest, EmailIsUniqueCaseInsensitively) {
  std::string local = Unique("Mixed.Case");
  std::string email = local + "@Example.COM";
  ASSERT_EQ(SignupRaw(Required(email)).status, 201);
  for (const std::string& again : {email, Lower(email), Lower(local) + "@EXAMPLE.com"}) {
    Response r = SignupRaw(Required(again));
    LETHE_EXPECT_PROBLEM(r, 409, "email-taken") << " for " << again;
  }
}

TEST_F(SignupTest, WeakPasswordIsRefused) {
  json::object body = Required(Unique("weak") + "@example.com");
  body["password"] = "elevenchars";  // 11
  LETHE_EXPECT_PROBLEM(SignupRaw(body), 422, "weak-password");
  body["password"] = std::string(1025, 'x');
  LETHE_EXPECT_PROBLEM(SignupRaw(body), 422, "weak-password") << " (1025 characters)";
  body["password"] = "twelve chars";  // exactly 12: the minimum is allowed
  Response ok = SignupRaw(body);
  EXPECT_EQ(ok.status, 201) << ok.Describe();
}

// SEC-4: under 13 anywhere, under 16 in the EEA.
struct AgeCase {
  const char* label;
  const char* country;
  int years;
  int extra_days;  // birth date = today - years - extra_days (negative: later)
  bool accepted;
};

TEST_F(SignupTest, AgeGate_SEC4) {
  if (TodayUtc().substr(5) == "02-29") GTEST_SKIP() << "birthday arithmetic on 29 February";
  const AgeCase cases[] = {
      {"12 in the US", "US", 12, 30, false},
      {"13th birthday tomorrow in the US", "US", 13, -1, false},
      {"13th birthday today in the US", "US", 13, 0, true},
      {"15 in the US", "US", 15, 30, true},
      {"15 in Germany (EEA)", "DE", 15, 30, false},
      {"15 in France (EEA)", "FR", 15, 30, false},
      {"15 in Norway (EEA, not EU)", "NO", 15, 30, false},
      {"16th birthday tomorrow in Germany", "DE", 16, -1, false},
      {"16 in Germany", "DE", 16, 30, true},
      {"16th birthday today in France", "FR", 16, 0, true},
  };
  for (const AgeCase& c : cases) {
    json::object body = Required(Unique("age") + "@example.com");
    body["country"] = c.country;
    body["birth_date"] = DateYearsAgo(c.years, c.extra_days);
    Response r = SignupRaw(body);
    if (c.accepted) {
      EXPECT_EQ(r.status, 201) << c.label << " (born " << body["birth_date"].as_string()
                               << "): " << r.Describe();
    } else {
      LETHE_EXPECT_PROBLEM(r, 422, "age-gate")
          << c.label << " (born " << body["birth_date"].as_string() << ")";
    }
  }
}

TEST_F(SignupTest, BirthDateMustBeAValidPastDate) {
  for (const char* bad : {"2010-02-30", "1990-13-01", "19900101", "01/02/1990", "not a date"}) {
    json::object body = Required(Unique("date") + "@example.com");
    body["birth_date"] = bad;
    LETHE_EXPECT_PROBLEM(SignupRaw(body), 400, "invalid-field") << " birth_date " << bad;
  }
  json::object body = Required(Unique("future") + "@example.com");
  body["birth_date"] = DateYearsAgo(-1, 0);  // a year from now
  LETHE_EXPECT_PROBLEM(SignupRaw(body), 400, "invalid-field") << " future birth_date";
}

// Uniqueness holds under a race: simultaneous sign-ups with one address
// (differing only in case) create exactly one customer.
TEST_F(SignupTest, ConcurrentSignupsWithOneEmailCreateOneCustomer) {
  const std::string local = Unique("racer");
  std::vector<long> statuses(4, 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server_->base_url());
      std::string email = (i % 2 ? Lower(local) : local) + "@Example.com";
      json::object body = Required(email);
      statuses[i] = c.Post("/v1/signup", json::value(body)).status;
    });
  }
  for (auto& t : threads) t.join();
  int created = 0, taken = 0;
  for (long st : statuses) {
    created += st == 201;
    taken += st == 409;
  }
  EXPECT_EQ(created, 1) << "statuses: " << statuses[0] << " " << statuses[1] << " " << statuses[2]
                        << " " << statuses[3];
  EXPECT_EQ(taken, 3);
  QueryResult q = Sql(server_->db_path(), "SELECT COUNT(*) FROM customers WHERE lower(email) = '" +
                                              Lower(local) + "@example.com'");
  ASSERT_TRUE(q.ok) << q.error;
  EXPECT_EQ(q.rows[0][0].value_or(""), "1");
}

// SEC-4: a refused sign-up leaves nothing about the person anywhere: not in
// the database (nor its WAL or shared-memory files), not in any other file
// under the data dir, not in the server's logs.
TEST(SignupRefusal, StoresNothingAboutTheRefusedPerson_SEC4) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  // A customer that exists already, so the database has been written to.
  const std::string adult_email = Unique("adult") + "@example.com";
  SignUp(client, adult_email);

  const std::string email = Unique("Young.Person") + "@Example.org";
  const std::string name = Unique("Zebedee Quixotic-Underage");
  const std::string phone = "+1 555 " + std::to_string(1000000 + (::getpid() % 9000000));
  const std::string company = Unique("Treehouse Club");
  json::object body{{"name", name},
                    {"email", email},
                    {"password", "a perfectly long password"},
                    {"country", "US"},
                    {"birth_date", DateYearsAgo(12, 100)},
                    {"company", company},
                    {"phone", phone}};
  Response r = client.Post("/v1/signup", json::value(body));
  LETHE_EXPECT_PROBLEM(r, 422, "age-gate");
  // The refusal does not echo the person's data back either.
  EXPECT_EQ(r.body.find(email), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find(name), std::string::npos) << r.body;

  // An EEA refusal too.
  const std::string email2 = Unique("teen.eea") + "@example.de";
  json::object body2 = body;
  body2["email"] = email2;
  body2["country"] = "DE";
  body2["birth_date"] = DateYearsAgo(15, 10);
  LETHE_EXPECT_PROBLEM(client.Post("/v1/signup", json::value(body2)), 422, "age-gate");

  auto scan = [&](const char* when) {
    for (const std::string& needle : {email, Lower(email), email2, name, phone, company,
                                      std::string("a perfectly long password")}) {
      std::vector<std::string> hits = FilesContaining(server.root_dir(), needle);
      EXPECT_TRUE(hits.empty()) << when << ": '" << needle << "' found in " << hits.size()
                                << " file(s), first " << (hits.empty() ? "" : hits[0]);
    }
  };
  // Positive control: the scan does see stored data (the adult's address),
  // so the absences above are meaningful.
  EXPECT_FALSE(FilesContaining(server.data_dir(), adult_email).empty())
      << "scan control: the stored adult's email should be found in the data dir";
  scan("while running");
  QueryResult count = Sql(server.db_path(), "SELECT COUNT(*) FROM customers");
  ASSERT_TRUE(count.ok) << count.error;
  EXPECT_EQ(count.rows[0][0].value_or(""), "1") << "only the adult customer exists";

  // After a clean shutdown (WAL checkpointed) still nothing.
  EXPECT_EQ(server.Stop(), 0);
  scan("after shutdown");

  // Nothing blocks the address later: no tombstone keeps it.
  ASSERT_TRUE(server.Restart());
  client.set_base_url(server.base_url());
  json::object adult = body;
  adult["birth_date"] = "1980-01-01";
  Response later = client.Post("/v1/signup", json::value(adult));
  EXPECT_EQ(later.status, 201) << later.Describe();
}

// SEC-2: the password is stored only as a strong hash, never in plaintext and
// never in the logs.
TEST(SignupSecrets, PasswordIsNotStoredOrLogged_SEC2) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  const std::string password = Unique("plaintext-password-canary");
  SignUpResult s = SignUpFull(client, Unique("secret") + "@example.com", password);
  ASSERT_FALSE(s.token.empty());
  Response signin = client.Post(
      "/v1/sessions", json::value(json::object{{"email", Str(*Field(s.body, "customer"), "email")},
                                               {"password", password}}));
  ASSERT_EQ(signin.status, 201) << signin.Describe();
  std::string session2 = Str(signin.Json(), "token");

  for (const std::string& needle : {password, s.token, session2}) {
    std::vector<std::string> hits = FilesContaining(server.root_dir(), needle);
    EXPECT_TRUE(hits.empty()) << "secret '" << needle.substr(0, 12) << "...' found in "
                              << (hits.empty() ? "" : hits[0]);
  }
  QueryResult hash = Sql(server.db_path(), "SELECT password_hash FROM customers");
  ASSERT_TRUE(hash.ok) << hash.error;
  ASSERT_EQ(hash.rows.size(), 1u);
  EXPECT_EQ(hash.rows[0][0].value_or("").rfind("$argon2id$", 0), 0u)
      << "expected an argon2id PHC string, got " << hash.rows[0][0].value_or("NULL");
  EXPECT_EQ(server.Stop(), 0);
  for (const std::string& needle : {password, s.token, session2}) {
    EXPECT_TRUE(FilesContaining(server.root_dir(), needle).empty()) << "after shutdown";
  }
}

}  // namespace
}  // namespace lethe::e2e
