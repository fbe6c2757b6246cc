#include "crypto/key_wrap.h"

#include <sodium.h>

#include <cstdlib>

namespace lethe {
namespace {

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Key GenerateKey(Random& random) {
  Key key;
  random.Fill(key);
  return key;
}

void WipeKey(Key& key) { sodium_memzero(key.data(), key.size()); }

std::vector<uint8_t> WrapKey(const Key& kek, const Key& key, std::string_view context,
                             Random& random) {
  std::vector<uint8_t> wrapped(kWrappedKeyBytes);
  const std::span<uint8_t> all(wrapped);
  const auto nonce = all.first<kNonceBytes>();
  random.Fill(nonce);
  const Status st = Seal(kek, nonce, AsBytes(context), key, all.subspan(kNonceBytes));
  // Seal only fails on a length bug (impossible here) or a broken OpenSSL;
  // returning an unsealed buffer would be far worse than stopping.
  if (!st.ok()) std::abort();
  return wrapped;
}

Result<Key> UnwrapKey(const Key& kek, std::span<const uint8_t> wrapped, std::string_view context) {
  if (wrapped.size() != kWrappedKeyBytes) {
    return Status::DataLoss("wrapped key has the wrong length");
  }
  Key key{};
  KeyWiper wipe(key);  // the Result below holds its own copy
  const Status st =
      Open(kek, wrapped.first<kNonceBytes>(), AsBytes(context), wrapped.subspan(kNonceBytes), key);
  if (!st.ok()) {
    if (st.code() == Status::Code::kDataLoss) {
      return Status::DataLoss("wrapped key failed to unwrap (wrong KEK, context or data)");
    }
    return st;
  }
  return Result<Key>(key);
}

}  // namespace lethe
