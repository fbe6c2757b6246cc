// Metrics: request counters by route and status, and a latency histogram,
// rendered in the Prometheus text format for GET /metrics.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace lethe {

class Metrics {
 public:
  // Counts one finished request. `route` is the pattern, never the raw path,
  // so ids (and anything personal in a path) never become label values.
  void Observe(const std::string& method, const std::string& route, int status, double seconds);
  std::string RenderPrometheus() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::array<uint64_t, kBuckets.size()> bucket_counts_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace lethe
