#include "crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <new>
#include <utility>

namespace lethe {
namespace {

// Fetched once: an implicit fetch on every init costs a provider lookup.
// Deliberately never freed; it lives as long as the process.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* cipher = [] {
    const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return c != nullptr ? c : EVP_aes_256_gcm();
  }();
  return cipher;
}

// EVP takes int lengths; feed larger spans in pieces so no size truncates.
constexpr size_t kMaxPiece = size_t{1} << 30;

// Runs EVP_CipherUpdate over `in`, writing to `out` (nullptr for aad).
bool UpdateAll(EVP_CIPHER_CTX* ctx, uint8_t* out, std::span<const uint8_t> in) {
  size_t done = 0;
  while (done < in.size()) {
    const size_t piece = std::min(in.size() - done, kMaxPiece);
    int written = 0;
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + done, &written, in.data() + done,
                         static_cast<int>(piece)) != 1) {
      return false;
    }
    // GCM is a stream mode: output keeps pace with input exactly.
    if (out != nullptr && static_cast<size_t>(written) != piece) return false;
    done += piece;
  }
  return true;
}

void FreeCtx(EVP_CIPHER_CTX*& ctx) {
  EVP_CIPHER_CTX_free(ctx);  // also cleanses the key schedule
  ctx = nullptr;
}

}  // namespace

AesGcm::AesGcm(AeadKeyView key) {
  enc_ = EVP_CIPHER_CTX_new();
  dec_ = EVP_CIPHER_CTX_new();
  if (enc_ == nullptr || dec_ == nullptr) {
    FreeCtx(enc_);
    FreeCtx(dec_);
    throw std::bad_alloc();
  }
  // Key expansion happens here, once; per message only the IV is reset.
  // Separate contexts per direction avoid re-keying when switching.
  init_ok_ = EVP_EncryptInit_ex(enc_, Aes256Gcm(), nullptr, key.data(), nullptr) == 1 &&
             EVP_DecryptInit_ex(dec_, Aes256Gcm(), nullptr, key.data(), nullptr) == 1;
}

AesGcm::~AesGcm() {
  FreeCtx(enc_);
  FreeCtx(dec_);
}

AesGcm::AesGcm(AesGcm&& other) noexcept
    : enc_(std::exchange(other.enc_, nullptr)),
      dec_(std::exchange(other.dec_, nullptr)),
      init_ok_(std::exchange(other.init_ok_, false)) {}

AesGcm& AesGcm::operator=(AesGcm&& other) noexcept {
  if (this != &other) {
    FreeCtx(enc_);
    FreeCtx(dec_);
    enc_ = std::exchange(other.enc_, nullptr);
    dec_ = std::exchange(other.dec_, nullptr);
    init_ok_ = std::exchange(other.init_ok_, false);
  }
  return *this;
}

Status AesGcm::Seal(AeadNonceView nonce, std::span<const uint8_t> aad,
                    std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
  if (out.size() != plaintext.size() + kTagBytes) {
    return Status::InvalidArgument("aead-bad-length", "seal output must be plaintext + tag bytes");
  }
  if (!init_ok_) return Status::Internal("AES-256-GCM unavailable");
  int final_len = 0;
  uint8_t final_buf[16];  // GCM emits nothing at final, but EVP wants a buffer
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      !UpdateAll(enc_, nullptr, aad) || !UpdateAll(enc_, out.data(), plaintext) ||
      EVP_EncryptFinal_ex(enc_, final_buf, &final_len) != 1 || final_len != 0 ||
      EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + plaintext.size()) !=
          1) {
    return Status::Internal("AES-256-GCM seal failed");
  }
  return Status::Ok();
}

Status AesGcm::Open(AeadNonceView nonce, std::span<const uint8_t> aad,
                    std::span<const uint8_t> sealed, std::span<uint8_t> out) {
  if (sealed.size() < kTagBytes || out.size() != sealed.size() - kTagBytes) {
    return Status::InvalidArgument("aead-bad-length", "open output must be sealed - tag bytes");
  }
  if (!init_ok_) return Status::Internal("AES-256-GCM unavailable");
  const size_t ct_len = sealed.size() - kTagBytes;
  // EVP_CTRL_GCM_SET_TAG takes a mutable pointer; copy rather than cast.
  uint8_t tag[kTagBytes];
  std::memcpy(tag, sealed.data() + ct_len, kTagBytes);
  if (EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      !UpdateAll(dec_, nullptr, aad) || !UpdateAll(dec_, out.data(), sealed.first(ct_len)) ||
      EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    return Status::Internal("AES-256-GCM open failed");
  }
  int final_len = 0;
  uint8_t final_buf[16];
  if (EVP_DecryptFinal_ex(dec_, final_buf, &final_len) != 1) {
    // Never hand back plaintext that failed authentication.
    std::fill(out.begin(), out.end(), uint8_t{0});
    return Status::DataLoss("AES-256-GCM tag mismatch");
  }
  return Status::Ok();
}

Status Seal(AeadKeyView key, AeadNonceView nonce, std::span<const uint8_t> aad,
            std::span<const uint8_t> plaintext, std::span<uint8_t> out) {
  return AesGcm(key).Seal(nonce, aad, plaintext, out);
}

Status Open(AeadKeyView key, AeadNonceView nonce, std::span<const uint8_t> aad,
            std::span<const uint8_t> sealed, std::span<uint8_t> out) {
  return AesGcm(key).Open(nonce, aad, sealed, out);
}

}  // namespace lethe
