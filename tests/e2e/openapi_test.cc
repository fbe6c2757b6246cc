// The OpenAPI document against the server (issue 9): every route the
// router registers is an operation of docs/openapi.yaml (method and path
// template), with the same auth and staff roles, and the document has no
// operation the router does not serve. The served /openapi.json is the
// document the build generated from the YAML. Validity as OpenAPI 3.1 is
// tests/openapi/validate.mjs (ctest openapi_valid).
//
// Decisions: the test-only routes (/_test/..., lethe_testing only) are not
// part of the API and are not documented. OPTIONS operations are answered
// by the router itself (CORS preflight, tus discovery), not by registered
// routes, so they are left out of the comparison. Staff routes are
// documented like any other (x-lethe-auth: staff, x-lethe-staff-roles).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness.h"

namespace lethe::e2e {
namespace {

namespace json = boost::json;

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Operation {
  std::string auth;
  std::vector<std::string> staff_roles;
};

// "METHOD /path/{template}" -> what the document says of it.
std::map<std::string, Operation> DocumentedOperations(const json::object& doc) {
  static const std::set<std::string> kMethods = {"get",   "put",  "post", "delete",
                                                 "patch", "head", "trace"};
  std::map<std::string, Operation> ops;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      if (kMethods.count(std::string(method)) == 0) continue;  // options, parameters, ...
      Operation o;
      const json::object& obj = op.as_object();
      if (const json::value* a = obj.if_contains("x-lethe-auth")) o.auth = a->as_string().c_str();
      if (const json::value* r = obj.if_contains("x-lethe-staff-roles")) {
        for (const json::value& role : r->as_array())
          o.staff_roles.push_back(role.as_string().c_str());
      }
      ops[Upper(std::string(method)) + " " + std::string(path)] = o;
    }
  }
  return ops;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartTestClockServer();
    ASSERT_TRUE(server_->ok());
    client_.set_base_url(server_->base_url());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
};

TEST_F(OpenApiTest, ServedDocumentIsTheGeneratedOneWithoutCredentials) {
  Response r = client_.Get("/openapi.json");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Header("content-type"), "application/json");
  std::ifstream in(LETHE_OPENAPI_JSON);
  ASSERT_TRUE(in) << LETHE_OPENAPI_JSON;
  std::stringstream generated;
  generated << in.rdbuf();
  EXPECT_EQ(json::parse(r.body), json::parse(generated.str()));
  const json::object doc = r.Json().as_object();
  EXPECT_EQ(Str(doc, "openapi"), "3.1.0");
  // HEAD is served by the GET route, without a body.
  Response head = client_.Request("HEAD", "/openapi.json");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndNothingElse) {
  Response table = client_.Get("/_test/routes");
  ASSERT_EQ(table.status, 200) << table.Describe();
  const std::map<std::string, Operation> documented =
      DocumentedOperations(client_.Get("/openapi.json").Json().as_object());
  std::set<std::string> served;
  int test_only = 0;
  for (const json::value& v : Arr(table.Json(), "routes")) {
    const json::object& route = v.as_object();
    const std::string pattern = Str(route, "pattern");
    if (pattern.rfind("/_test/", 0) == 0) {
      ++test_only;
      continue;
    }
    const std::string name = Str(route, "method") + " " + pattern;
    served.insert(name);
    auto it = documented.find(name);
    if (it == documented.end()) {
      ADD_FAILURE() << name << " is served but not in docs/openapi.yaml";
      continue;
    }
    EXPECT_EQ(it->second.auth, Str(route, "auth")) << name << ": x-lethe-auth";
    std::vector<std::string> roles;
    for (const json::value& role : Arr(route, "staff_roles"))
      roles.push_back(role.as_string().c_str());
    EXPECT_EQ(it->second.staff_roles, roles) << name << ": x-lethe-staff-roles";
  }
  EXPECT_EQ(test_only, 2) << "the test-only routes are /_test/clock and /_test/routes";
  for (const auto& [name, op] : documented) {
    if (served.count(name) == 0) {
      ADD_FAILURE() << name << " is in docs/openapi.yaml but the server does not serve it";
    }
  }
  EXPECT_GT(served.size(), 100u);
  std::cout << "[figures] routes served and documented: " << served.size()
            << "; documented operations: " << documented.size() << "\n";
}

}  // namespace
}  // namespace lethe::e2e
