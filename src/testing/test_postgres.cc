#include "testing/test_postgres.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <random>

#include "adapters/postgres/pg_connection.h"

namespace lethe {
namespace {

// A value for a key=value conninfo: quoted, with ' and \ escaped.
std::string Quoted(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

Result<std::string> TestPostgres::WithDatabase(const std::string& conninfo,
                                               const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (!options) {
    std::string msg = err ? err : "out of memory";
    PQfreemem(err);
    return Status::InvalidArgument("bad-conninfo", "LETHE_TEST_POSTGRES: " + msg);
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val || std::string(o->keyword) == "dbname") continue;
    out += std::string(o->keyword) + "=" + Quoted(o->val) + " ";
  }
  PQconninfoFree(options);
  return out + "dbname=" + Quoted(dbname);
}

Result<std::unique_ptr<TestPostgres>> TestPostgres::Create() {
  const char* env = std::getenv("LETHE_TEST_POSTGRES");
  if (!env || !*env) {
    return Status::FailedPrecondition(
        "no-test-postgres",
        "LETHE_TEST_POSTGRES is unset: run the PostgreSQL tests through ctest, which starts a "
        "server (scripts/test-postgres.sh) and sets it");
  }
  std::random_device rd;
  std::string name = "lethe_test_";
  for (int i = 0; i < 12; ++i) name += "0123456789abcdef"[rd() % 16];
  LETHE_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(env));
  LETHE_RETURN_IF_ERROR(conn->ExecScript("CREATE DATABASE " + name));
  LETHE_ASSIGN_OR_RETURN(std::string info, WithDatabase(env, name));
  return std::unique_ptr<TestPostgres>(new TestPostgres(env, name, info));
}

TestPostgres::~TestPostgres() {
  auto conn = PgConnection::Open(admin_);
  if (conn.ok()) (void)(*conn)->ExecScript("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace lethe
