#include "adapters/local/instance_id.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/local/durable_file.h"
#include "crypto/secret_hash.h"

namespace lethe {
namespace {

constexpr const char* kPrefix = "ins_";

bool WellFormed(const std::string& id) {
  if (id.size() != 4 + kRandomIdChars || id.rfind(kPrefix, 0) != 0) return false;
  for (size_t i = 4; i < id.size(); ++i) {
    if (kRandomIdAlphabet.find(id[i]) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

Result<std::string> LoadInstanceId(const std::string& data_dir, Random& random) {
  const std::string path = data_dir + "/instance.id";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path);
    if (!in) return Status::Internal("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    std::string id = text.str();
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    if (!WellFormed(id)) {
      return Status::InvalidArgument("bad-instance-id", path + " does not hold an instance id");
    }
    return id;
  }
  if (ec) return Status::Internal("cannot look for " + path + ": " + ec.message());
  std::string id = RandomId(random, kPrefix);
  // A temp file left by a crash here is ours: the caller holds the lock.
  std::remove((path + ".tmp").c_str());
  LETHE_RETURN_IF_ERROR(WriteFileDurably(data_dir, path + ".tmp", path, id + "\n", "instance id"));
  return id;
}

}  // namespace lethe
