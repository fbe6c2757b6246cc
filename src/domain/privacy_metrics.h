// PrivacyMetrics: the yearly report of data-subject requests that the
// CCPA regulations (11 CCR § 7102) ask a business to publish: for each
// request type, how many were received, complied with in whole or in
// part, and denied, and the median and mean days to respond.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "ports/metadata_store.h"

namespace lethe {

struct RequestTypeMetrics {
  std::string type;
  int received = 0;
  int completed = 0;  // complied with
  int denied = 0;
  int open = 0;  // neither yet
  // Days from receipt to the completed or denied step, over the answered
  // requests; 0 when none was answered.
  double median_days = 0;
  double mean_days = 0;
};

// The metrics of requests received in calendar year `year` (UTC), one row
// per type that had any, in the order of the policy's list of rights.
// InvalidArgument for a year outside 1970..9999; the store's error.
Result<std::vector<RequestTypeMetrics>> AnnualPrivacyMetrics(MetadataReader& store, int year);

}  // namespace lethe
