#include "crypto/signed_note.h"

#include <sodium.h>

#include <vector>

#include "common/encoding.h"
#include "common/utf8.h"

namespace lethe {
namespace {

constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";
constexpr uint8_t kEd25519Type = 0x01;

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// UTF-8 with no control characters but newline.
bool IsNoteText(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') return false;
    if (c == 0x7f) return false;
  }
  return IsValidUtf8(text);
}

Status BadNote(std::string message) {
  return Status::InvalidArgument("bad-note", std::move(message));
}

}  // namespace

uint32_t NoteKeyId(std::string_view name, const SigningKey::PublicKey& public_key) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, Bytes(name).data(), name.size());
  const uint8_t sep[2] = {0x0A, kEd25519Type};
  crypto_hash_sha256_update(&st, sep, sizeof sep);
  crypto_hash_sha256_update(&st, public_key.data(), public_key.size());
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
         uint32_t{digest[3]};
}

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty() || !IsNoteText(name)) return false;
  // ASCII spaces and "+"; the Unicode spaces Lethe would never put in a name
  // (no-break, ideographic...) are refused by the origin check upstream.
  return name.find_first_of(" \n+") == std::string_view::npos;
}

Result<std::string> SignNote(std::string_view text, std::string_view name, const SigningKey& key) {
  if (text.empty() || text.back() != '\n' || !IsNoteText(text)) {
    return Status::InvalidArgument("bad-note",
                                   "note text must be UTF-8 lines, each ending in a newline");
  }
  if (!IsValidNoteKeyName(name)) {
    return Status::InvalidArgument("bad-note", "invalid note key name");
  }
  uint32_t id = NoteKeyId(name, key.public_key());
  SigningKey::Signature sig = key.Sign(Bytes(text));
  std::vector<uint8_t> blob = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                               static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
  blob.insert(blob.end(), sig.begin(), sig.end());
  std::string note(text);
  note += "\n";
  note += kEmDashSpace;
  note += name;
  note += " ";
  note += Base64Encode(blob);
  note += "\n";
  return note;
}

Result<std::string> OpenNote(std::string_view note, std::string_view name,
                             const SigningKey::PublicKey& trusted) {
  if (note.size() > kMaxNoteBytes) return BadNote("the note is too large");
  if (note.empty() || note.back() != '\n' || !IsNoteText(note)) {
    return BadNote("a note is UTF-8 lines, each ending in a newline");
  }
  // The text ends at the last blank line; signature lines follow it.
  size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) return BadNote("no blank line before the signatures");
  std::string_view text = note.substr(0, blank + 1);
  std::string_view sigs = note.substr(blank + 2);
  if (sigs.empty()) return BadNote("the note has no signature");
  uint32_t want_id = NoteKeyId(name, trusted);
  bool found = false;
  while (!sigs.empty()) {
    size_t eol = sigs.find('\n');
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) {
      return BadNote("a signature line must start with an em dash and a space");
    }
    line.remove_prefix(kEmDashSpace.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos)
      return BadNote("a signature line needs a name and a signature");
    std::string_view line_name = line.substr(0, space);
    auto blob = Base64Decode(line.substr(space + 1));
    if (!IsValidNoteKeyName(line_name) || !blob || blob->size() < 5) {
      return BadNote("malformed signature line");
    }
    uint32_t id = (uint32_t{(*blob)[0]} << 24) | (uint32_t{(*blob)[1]} << 16) |
                  (uint32_t{(*blob)[2]} << 8) | uint32_t{(*blob)[3]};
    if (line_name != name || id != want_id) continue;  // someone else's: ignored
    found = true;
    if (blob->size() != 4 + SigningKey::kSignatureBytes) {
      return Status::DataLoss("the note's signature has the wrong length");
    }
    SigningKey::Signature sig;
    std::copy(blob->begin() + 4, blob->end(), sig.begin());
    if (!SigningKey::Verify(trusted, Bytes(text), sig)) {
      return Status::DataLoss("the note's signature does not match its text (edited or forged)");
    }
  }
  if (!found) {
    return Status::FailedPrecondition("other-key",
                                      "the note carries no signature by the given key");
  }
  return std::string(text);
}

}  // namespace lethe
