// TestPostgres: a fresh PostgreSQL database for one test, on the server
// that ctest starts (scripts/test-postgres.sh, the `postgres` fixture) and
// names in the LETHE_TEST_POSTGRES environment variable (a libpq conninfo:
// key=value pairs or a postgresql:// URI, for a role that may create
// databases). Each test gets its own database, with a random name, so tests
// run in parallel; it is dropped afterwards.
//
// Without LETHE_TEST_POSTGRES, Create() fails, and so does the test: ctest
// always sets it, and a PostgreSQL test that quietly skipped would prove
// nothing.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace lethe {

class TestPostgres {
 public:
  // Creates the database. Returns FailedPrecondition when
  // LETHE_TEST_POSTGRES is unset, Unavailable when the server is unreachable.
  static Result<std::unique_ptr<TestPostgres>> Create();
  // Drops the database (closing whatever connections remain).
  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

  // A key=value conninfo for the new database.
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

  // The server's conninfo (LETHE_TEST_POSTGRES) with dbname set to `dbname`,
  // as key=value pairs. Returns InvalidArgument when it does not parse.
  static Result<std::string> WithDatabase(const std::string& conninfo, const std::string& dbname);

 private:
  TestPostgres(std::string admin, std::string name, std::string conninfo)
      : admin_(std::move(admin)), name_(std::move(name)), conninfo_(std::move(conninfo)) {}
  std::string admin_;
  std::string name_;
  std::string conninfo_;
};

}  // namespace lethe
