#include "app/offline_verify.h"

#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "common/encoding.h"
#include "crypto/merkle.h"
#include "crypto/signed_json.h"
#include "crypto/tlog_checkpoint.h"
#include "domain/erasure_receipts.h"

namespace lethe {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;

int Usage(const std::string& why) {
  std::cerr << "lethe: " << why << "\n"
            << "usage:\n"
            << "  lethe receipt verify FILE --key PUBKEY\n"
            << "  lethe checkpoint verify OLD NEW --key PUBKEY [--proof FILE]\n"
            << "PUBKEY: the public_key of GET /.well-known/lethe/signing-key (base64), or 64 hex "
               "digits\n";
  return 2;
}

int Fail(const std::string& why) {
  std::cout << why << "\n";
  return 1;
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  std::string s = out.str();
  if (s.size() > kMaxFileBytes) return std::nullopt;
  return s;
}

// Splits `args` into positional words and the values of --key / --proof.
// Returns false on an unknown flag or a flag without its value.
bool SplitArgs(const std::vector<std::string>& args, std::vector<std::string>& positional,
               std::string& key, std::string& proof) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--key" || args[i] == "--proof") {
      if (i + 1 >= args.size()) return false;
      std::string& target = args[i] == "--key" ? key : proof;
      target = args[++i];
    } else if (args[i].rfind("--", 0) == 0) {
      return false;
    } else {
      positional.push_back(args[i]);
    }
  }
  return true;
}

// The proof file: {"from", "to", "proof": [base64...]} as the server serves
// it, or a bare array. nullopt when it is neither.
std::optional<std::vector<MerkleHash>> ParseProof(const std::string& text, uint64_t from,
                                                  uint64_t to, std::string& why) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) {
    why = "the proof is not JSON";
    return std::nullopt;
  }
  const boost::json::array* list = v.if_array();
  if (const boost::json::object* obj = v.if_object()) {
    const boost::json::value* f = obj->if_contains("from");
    const boost::json::value* t = obj->if_contains("to");
    if (f && t && f->is_number() && t->is_number() &&
        (f->to_number<uint64_t>() != from || t->to_number<uint64_t>() != to)) {
      why = "the proof is for sizes " + boost::json::serialize(*f) + " to " +
            boost::json::serialize(*t) + ", not " + std::to_string(from) + " to " +
            std::to_string(to);
      return std::nullopt;
    }
    const boost::json::value* p = obj->if_contains("proof");
    list = p ? p->if_array() : nullptr;
  }
  if (!list) {
    why = "the proof has no list of hashes";
    return std::nullopt;
  }
  std::vector<MerkleHash> out;
  for (const boost::json::value& item : *list) {
    auto bytes = item.is_string() ? Base64Decode(item.get_string()) : std::nullopt;
    if (!bytes || bytes->size() != 32) {
      why = "the proof holds something other than base64 SHA-256 hashes";
      return std::nullopt;
    }
    MerkleHash h;
    std::copy(bytes->begin(), bytes->end(), h.begin());
    out.push_back(h);
  }
  return out;
}

}  // namespace

int ReceiptVerifyCommand(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  std::string key_text, proof_file;
  if (!SplitArgs(args, files, key_text, proof_file) || files.size() != 1 || key_text.empty() ||
      !proof_file.empty()) {
    return Usage("receipt verify takes one FILE and --key PUBKEY");
  }
  auto key = ParsePublicKey(key_text);
  if (!key) return Usage("--key must be 32 bytes in base64 (or 64 hex digits)");
  auto text = ReadSmallFile(files[0]);
  if (!text) return Usage("cannot read " + files[0]);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec || !v.is_object()) return Fail("receipt invalid: not a JSON object");
  Status st = VerifySignedJson(v.as_object(), *key);
  if (!st.ok()) return Fail("receipt invalid: " + st.message());
  const boost::json::value* type = v.as_object().if_contains("receipt");
  if (!type || !type->is_string() || type->get_string() != kErasureReceiptType) {
    return Fail("receipt invalid: signed, but not an erasure receipt");
  }
  std::cout << "receipt ok\n";
  return 0;
}

int CheckpointVerifyCommand(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  std::string key_text, proof_file;
  if (!SplitArgs(args, files, key_text, proof_file) || files.size() != 2 || key_text.empty()) {
    return Usage("checkpoint verify takes OLD NEW --key PUBKEY [--proof FILE]");
  }
  auto key = ParsePublicKey(key_text);
  if (!key) return Usage("--key must be 32 bytes in base64 (or 64 hex digits)");
  auto old_text = ReadSmallFile(files[0]);
  if (!old_text) return Usage("cannot read " + files[0]);
  auto new_text = ReadSmallFile(files[1]);
  if (!new_text) return Usage("cannot read " + files[1]);
  auto old_cp = OpenCheckpoint(*old_text, *key);
  if (!old_cp.ok()) return Fail("checkpoint invalid: OLD: " + old_cp.status().message());
  auto new_cp = OpenCheckpoint(*new_text, *key);
  if (!new_cp.ok()) return Fail("checkpoint invalid: NEW: " + new_cp.status().message());
  if (old_cp->origin != new_cp->origin) {
    return Fail("checkpoint invalid: OLD is of log " + old_cp->origin + ", NEW of " +
                new_cp->origin);
  }
  if (old_cp->size > new_cp->size) {
    return Fail("checkpoint invalid: NEW (" + std::to_string(new_cp->size) +
                " events) is smaller than OLD (" + std::to_string(old_cp->size) + ")");
  }
  std::vector<MerkleHash> proof;
  if (old_cp->size != new_cp->size && old_cp->size != 0) {
    if (proof_file.empty()) {
      return Usage("NEW is larger than OLD: give the consistency proof with --proof FILE");
    }
    auto proof_text = ReadSmallFile(proof_file);
    if (!proof_text) return Usage("cannot read " + proof_file);
    std::string why;
    auto parsed = ParseProof(*proof_text, old_cp->size, new_cp->size, why);
    if (!parsed) return Fail("checkpoint invalid: " + why);
    proof = std::move(*parsed);
  }
  if (!VerifyMerkleConsistency(old_cp->size, new_cp->size, old_cp->root, new_cp->root, proof)) {
    return Fail(old_cp->size == new_cp->size
                    ? "checkpoint invalid: same size, different roots (the log was rewritten)"
                    : "checkpoint invalid: the proof does not show NEW extends OLD (the log was "
                      "rewritten or forked)");
  }
  std::cout << "checkpoint ok: " << new_cp->origin << " grew from " << old_cp->size << " to "
            << new_cp->size << " events\n";
  return 0;
}

}  // namespace lethe
