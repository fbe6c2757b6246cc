// LinkMac: the HMAC-SHA256 that signs Lethe's capability links (signed media
// links, privacy-center links), under a key derived from the master key and
// a label of the link's kind, so a link of one kind never passes for one of
// another, and no link key is stored anywhere.
#pragma once

#include <string>
#include <string_view>

#include "crypto/key_wrap.h"

namespace lethe {

class LinkMac {
 public:
  // Derives the key: HMAC-SHA256(master, label). Keeps no copy of `master`.
  LinkMac(const Key& master, std::string_view label);
  ~LinkMac();
  LinkMac(const LinkMac&) = delete;
  LinkMac& operator=(const LinkMac&) = delete;

  // The base64url (no padding) MAC of `message`: 43 characters.
  std::string Sign(std::string_view message) const;
  // True when `mac` is Sign(message), compared in constant time.
  bool Verify(std::string_view message, std::string_view mac) const;

 private:
  Key key_;
};

}  // namespace lethe
