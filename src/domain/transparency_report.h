// TransparencyReport (SHR-4): the yearly, public count of legal requests,
// by the authority's type and Lethe's decision. It counts requests by the
// UTC year they were received; undecided ones count as "pending". It names
// no account, customer or authority, so a running non-disclosure order is
// not breached by it: the request is one count among the year's.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "ports/metadata_store.h"

namespace lethe {

struct TransparencyCounts {
  int year = 0;
  int64_t total = 0;
  // authority type -> decision ("comply", "object", "partial", "pending")
  // -> count; every known type and decision is present, zeros included.
  std::map<std::string, std::map<std::string, int64_t>> by_authority;
};

class TransparencyReport {
 public:
  static constexpr int kFirstYear = 2000;
  static constexpr int kLastYear = 9999;

  explicit TransparencyReport(MetadataReader& reader) : reader_(reader) {}

  // The counts of `year`. InvalidArgument("invalid-field") outside
  // kFirstYear..kLastYear; the store's error otherwise.
  Result<TransparencyCounts> ForYear(int year);

 private:
  MetadataReader& reader_;
};

}  // namespace lethe
