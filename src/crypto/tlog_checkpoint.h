// Transparency-log checkpoints (C2SP tlog-checkpoint,
// https://c2sp.org/tlog-checkpoint): a signed note whose text is
//   <origin>\n<tree size, decimal>\n<base64 RFC 6962 root hash>\n
// optionally followed by extension lines (Lethe writes none and ignores
// any it reads). The note is signed under the origin as key name, as the
// format recommends, so a verifier needs only the public key: the origin
// comes from the text it checks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/merkle.h"
#include "crypto/signing_key.h"

namespace lethe {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  MerkleHash root{};
};

// The note text of `c` (three lines).
std::string CheckpointText(const Checkpoint& c);

// `c` as a signed note by `key` under `c.origin`. InvalidArgument when the
// origin is not a valid key name (empty, spaces, "+", control characters).
Result<std::string> SignCheckpoint(const Checkpoint& c, const SigningKey& key);

// The checkpoint in `note` once its signature by `trusted` (under the
// origin on its first line) verifies. InvalidArgument "bad-checkpoint" when
// the text is not a checkpoint (missing lines, a size with a leading zero or
// a sign, a root that is not 32 bytes of base64); otherwise OpenNote's
// errors: "bad-note", "other-key", or DataLoss for a failed signature.
Result<Checkpoint> OpenCheckpoint(std::string_view note, const SigningKey::PublicKey& trusted);

}  // namespace lethe
