// DataSnapshots: consistent copies of what a data directory holds besides
// media blobs, taken while a server may be writing it. For backups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

class DataSnapshots {
 public:
  virtual ~DataSnapshots() = default;
  // A transactionally consistent image of the database `name` ("lethe.db",
  // "keys.db"), as one database file. Internal when it cannot be read.
  virtual Result<std::vector<uint8_t>> Database(const std::string& name) = 0;
  // The bytes of the small file `name` ("signing.key"); NotFound if absent.
  virtual Result<std::vector<uint8_t>> SmallFile(const std::string& name) = 0;
};

}  // namespace lethe
