// KeyedIds: names for erased things that prove nothing to whoever lacks
// the deployment's key (USE-5). The audit chain, erasure receipts and the
// erasure journal must outlive what an erasure removes, yet must not hold
// an end-user reference or a media id in clear. They hold instead
// HMAC-SHA256(k, scope 0x00 account 0x00 value), where k is derived from the
// master key: the same input always gives the same name, so a restore can
// match journal entries against restored rows, and nobody without the
// master key can test a guess.
#pragma once

#include <string>
#include <string_view>

#include "crypto/key_wrap.h"

namespace lethe {

class KeyedIds {
 public:
  // Derives the naming key from `master`; keeps no copy of `master`.
  explicit KeyedIds(const Key& master);
  ~KeyedIds() { WipeKey(key_); }
  KeyedIds(const KeyedIds&) = delete;
  KeyedIds& operator=(const KeyedIds&) = delete;

  // "kh_" + 64 lowercase hex digits. `scope` says what `value` is
  // ("end_user", "media", "account"); names of different scopes or
  // accounts never collide.
  std::string Of(std::string_view scope, std::string_view account_id, std::string_view value) const;

 private:
  Key key_;
};

}  // namespace lethe
