// Signed notes (C2SP signed-note, https://c2sp.org/signed-note): UTF-8 text
// followed by a blank line and signature lines
//   "— <key name> <base64(4-byte key ID || Ed25519 signature)>\n"
// where "—" is U+2014 and the signature covers the text, final newline
// included. Lethe signs its audit checkpoints this way (tlog_checkpoint.h),
// so they verify with standard transparency-log tooling as well as with
// `lethe checkpoint verify`.
//
// Only Ed25519 (signature type 0x01) is produced or checked. The key ID is
// the first four bytes, big-endian, of
//   SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/signing_key.h"

namespace lethe {

// Notes larger than this are refused when opened.
inline constexpr size_t kMaxNoteBytes = 64 * 1024;

// The signed-note key ID of `public_key` under `name`.
uint32_t NoteKeyId(std::string_view name, const SigningKey::PublicKey& public_key);

// Whether `name` can name a note key: non-empty UTF-8 without spaces,
// control characters or "+".
bool IsValidNoteKeyName(std::string_view name);

// The note: `text`, a blank line and one signature line by `key` under
// `name`. InvalidArgument when `text` is empty, does not end in a newline,
// is not UTF-8 or holds control characters other than newline, or when
// `name` is not a valid key name.
Result<std::string> SignNote(std::string_view text, std::string_view name, const SigningKey& key);

// The text of `note` once a signature line under `name` with `trusted`'s key
// ID verifies; lines by other keys are ignored, as the format requires.
// InvalidArgument "bad-note" for a malformed note (no blank line before the
// signatures, a malformed signature line, control characters, over
// kMaxNoteBytes); FailedPrecondition "other-key" when no line is by
// `trusted` under `name`; DataLoss when such a line does not verify (the
// text was edited, or the signature forged).
Result<std::string> OpenNote(std::string_view note, std::string_view name,
                             const SigningKey::PublicKey& trusted);

}  // namespace lethe
