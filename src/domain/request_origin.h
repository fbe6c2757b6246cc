// RequestOrigin: who is calling and from where, as the domain needs it for
// login and usage events (ACC-3, USE-1) and for the audit log (SEC-1).
// The HTTP layer fills it from the connection and headers.
#pragma once

#include <string>

namespace lethe {

struct RequestOrigin {
  std::string request_id;
  std::string ip;
  std::string device_type;
  std::string browser;
  std::string browser_version;
  std::string language;
  std::string country;
};

}  // namespace lethe
