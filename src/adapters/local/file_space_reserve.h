// FileSpaceReserve: SpaceReserve as one preallocated file (`<data>/reserve`)
// on the data volume. Its blocks are allocated with posix_fallocate, so the
// room is really taken, and unlinking the file gives it back at once.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "ports/space_reserve.h"

namespace lethe {

class FileSpaceReserve final : public SpaceReserve {
 public:
  // Holds `bytes` in the file at `path`, allocated now if the volume has room.
  FileSpaceReserve(std::string path, uint64_t bytes);
  bool Release() override;
  void Restore() override;

 private:
  std::mutex mu_;
  std::string path_;
  uint64_t bytes_;
};

}  // namespace lethe
