#include "store_backend.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

namespace lethe::e2e {
namespace {

// Which data directories have their stores in PostgreSQL, for the helpers
// that take only a path (Sql, RunCommand). Test-process state: the servers
// of one test register and unregister here as they come and go.
struct Registry {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::string>> urls;  // dir -> metadata, keys
};
Registry& TheRegistry() {
  static Registry* registry = new Registry;
  return *registry;
}

std::string Normal(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

}  // namespace

bool OnPostgres() {
  const char* v = std::getenv("LETHE_E2E_METADATA");
  return v != nullptr && std::string(v) == "postgres";
}

std::unique_ptr<StoreDatabases> StoreDatabases::Create(const std::string& data_dir) {
  auto metadata = TestPostgres::Create();
  if (!metadata.ok()) {
    ADD_FAILURE() << "metadata database: " << metadata.status().ToString();
    return nullptr;
  }
  auto keys = TestPostgres::Create();
  if (!keys.ok()) {
    ADD_FAILURE() << "key database: " << keys.status().ToString();
    return nullptr;
  }
  return std::unique_ptr<StoreDatabases>(
      new StoreDatabases(Normal(data_dir), std::move(*metadata), std::move(*keys)));
}

StoreDatabases::StoreDatabases(std::string data_dir, std::unique_ptr<TestPostgres> metadata,
                               std::unique_ptr<TestPostgres> keys)
    : data_dir_(std::move(data_dir)), metadata_(std::move(metadata)), keys_(std::move(keys)) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  r.urls[data_dir_] = {metadata_->conninfo(), keys_->conninfo()};
}

StoreDatabases::~StoreDatabases() {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  r.urls.erase(data_dir_);
}

std::vector<std::string> StoreDatabases::Flags() const {
  return {"--metadata", metadata_url(), "--keys", keys_url()};
}

std::optional<std::string> PostgresFor(const std::string& db_path) {
  std::filesystem::path p = std::filesystem::path(db_path).lexically_normal();
  const std::string file = p.filename().string();
  if (file != "lethe.db" && file != "keys.db") return std::nullopt;
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  auto it = r.urls.find(p.parent_path().string());
  if (it == r.urls.end()) return std::nullopt;
  return file == "lethe.db" ? it->second.first : it->second.second;
}

std::vector<std::string> DatabasesUnder(const std::string& dir) {
  const std::string top = Normal(dir);
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  std::vector<std::string> out;
  for (const auto& [data_dir, urls] : r.urls) {
    if (data_dir == top || data_dir.starts_with(top + "/")) {
      out.push_back(urls.first);
      out.push_back(urls.second);
    }
  }
  return out;
}

std::vector<std::string> StoreEnvFor(const std::string& data_dir) {
  Registry& r = TheRegistry();
  std::lock_guard lock(r.mu);
  auto it = r.urls.find(Normal(data_dir));
  if (it == r.urls.end()) return {};
  return {"LETHE_METADATA=" + it->second.first, "LETHE_KEYS=" + it->second.second};
}

}  // namespace lethe::e2e
