#include "http/metrics.h"

#include <sstream>
#include <tuple>

namespace lethe {

void Metrics::Observe(const std::string& method, const std::string& route, int status,
                      double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route.empty() ? "unmatched" : route, status}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++count_;
  sum_ += seconds;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  out << "# HELP lethe_http_requests_total HTTP requests by method, route and status.\n"
      << "# TYPE lethe_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out << "lethe_http_requests_total{method=\"" << method << "\",route=\"" << route
        << "\",status=\"" << status << "\"} " << n << "\n";
  }
  out << "# HELP lethe_http_request_duration_seconds Time from request head to response end.\n"
      << "# TYPE lethe_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    out << "lethe_http_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} "
        << bucket_counts_[i] << "\n";
  }
  out << "lethe_http_request_duration_seconds_bucket{le=\"+Inf\"} " << count_ << "\n"
      << "lethe_http_request_duration_seconds_sum " << sum_ << "\n"
      << "lethe_http_request_duration_seconds_count " << count_ << "\n";
  return out.str();
}

}  // namespace lethe
