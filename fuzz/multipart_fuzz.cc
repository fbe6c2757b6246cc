// Fuzzes MultipartParser: no crash, no unbounded memory, and the same events
// whether the body arrives in one piece, one byte at a time or in chunks.
//
// Input: a Content-Type line, '\n', then the body. When the Content-Type
// yields no boundary a fixed one is used, so the body is always exercised.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/multipart.h"

namespace {

// Every callback, serialised; equal logs mean equal parses.
struct Log {
  std::string events;
  size_t data_bytes = 0;

  lethe::MultipartCallbacks Callbacks() {
    return {
        .on_part_begin =
            [this](const lethe::PartHeaders& h) {
              events += "<" + h.name + "|" + (h.filename ? "f:" + *h.filename : "-") + "|" +
                        h.content_type + ">";
              // Stop the occasional part to exercise callback failures.
              if (h.name == "stop") return lethe::Status::TooLarge("stop");
              return lethe::Status::Ok();
            },
        .on_part_data =
            [this](std::span<const uint8_t> d) {
              if (d.empty()) abort();  // the parser promises non-empty spans
              events.append(reinterpret_cast<const char*>(d.data()), d.size());
              data_bytes += d.size();
              return lethe::Status::Ok();
            },
        .on_part_end =
            [this] {
              events += "</>";
              return lethe::Status::Ok();
            },
    };
  }
};

std::string Run(const std::string& boundary, std::string_view body, size_t mode) {
  Log log;
  lethe::MultipartParser parser(boundary, log.Callbacks());
  lethe::Status st;
  size_t pos = 0;
  size_t step = 1;
  while (st.ok() && pos < body.size()) {
    size_t n = body.size() - pos;
    if (mode == 1) n = 1;
    if (mode == 2) n = std::min(n, step = step * 7 % 23 + 1);
    st = parser.Feed(body.substr(pos, n));
    pos += n;
  }
  if (st.ok()) st = parser.Finish();
  if (log.data_bytes > body.size()) abort();  // data is never invented
  return log.events + "#" + st.ToString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view content_type = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? input : input.substr(nl + 1);

  const lethe::Result<std::string> boundary = lethe::BoundaryFromContentType(content_type);
  if (boundary.ok() && !lethe::IsValidBoundary(*boundary)) abort();
  const std::string b = boundary.ok() ? *boundary : "xyz";

  const std::string whole = Run(b, body, 0);
  if (Run(b, body, 1) != whole) abort();
  if (Run(b, body, 2) != whole) abort();
  return 0;
}
