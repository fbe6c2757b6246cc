// FileErasureJournal: ErasureJournal as a JSON-lines file, appended with
// O_APPEND and made durable with fdatasync before Append returns. Appends
// are serialized by a mutex: erasures are rare and each must be durable on
// its own before its key is destroyed. The file lives beside the data
// directory's stores but is never copied into a backup.
#pragma once

#include <mutex>
#include <string>

#include "ports/erasure_journal.h"

namespace lethe {

class FileErasureJournal final : public ErasureJournal {
 public:
  explicit FileErasureJournal(std::string path) : path_(std::move(path)) {}
  Status Append(const JournalEntry& entry) override;
  Result<std::vector<JournalEntry>> ReadAll() override;

 private:
  std::string path_;
  std::mutex mu_;
};

}  // namespace lethe
