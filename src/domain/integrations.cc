#include "domain/integrations.h"

#include <array>

#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/secret_hash.h"
#include "domain/validation.h"

namespace lethe {
namespace {

constexpr size_t kMaxProvider = 64;
constexpr size_t kMaxLabel = 200;
constexpr size_t kMaxToken = 4096;

Status InvalidField(const std::string& message) {
  return Status::InvalidArgument("invalid-field", message);
}

Status CheckForm(const IntegrationForm& f) {
  if (f.provider.empty() || f.provider.size() > kMaxProvider) {
    return InvalidField("provider must be 1 to 64 characters");
  }
  for (char c : f.provider) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return InvalidField("provider may hold only a-z, 0-9, '.', '_' and '-'");
  }
  if (!f.label.empty()) LETHE_RETURN_IF_ERROR(CheckText("label", f.label, kMaxLabel));
  if (f.token.empty() || f.token.size() > kMaxToken) {
    return InvalidField("token must be 1 to 4096 bytes");
  }
  for (char c : f.token) {
    if (c < 0x21 || c > 0x7e) return InvalidField("token must be printable ASCII");
  }
  return Status::Ok();
}

// Binds the sealed token to its row: a sealed token copied to another
// integration does not open.
std::string Context(const std::string& account_id, const std::string& id) {
  return "integration/" + account_id + "/" + id;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Result<IntegrationRecord> Integrations::Add(const std::string& customer_id,
                                            const std::string& account_id,
                                            const IntegrationForm& form, const Actor& actor,
                                            const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(CheckForm(form));
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  IntegrationRecord rec;
  rec.id = RandomId(random_, "int_");
  rec.account_id = account_id;
  rec.provider = form.provider;
  rec.label = form.label;
  rec.created_ms = clock_.NowMillis();
  // The key is durable in the key store before any row needs it.
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.SecretKey(account_id, rec.id, /*create=*/true));
  KeyWiper wipe(key);
  std::array<uint8_t, kNonceBytes> nonce;
  random_.Fill(nonce);
  std::vector<uint8_t> sealed(kNonceBytes + form.token.size() + kTagBytes);
  std::copy(nonce.begin(), nonce.end(), sealed.begin());
  LETHE_RETURN_IF_ERROR(Seal(key, nonce, Bytes(Context(account_id, rec.id)), Bytes(form.token),
                             std::span(sealed).subspan(kNonceBytes)));
  rec.sealed_token = Base64UrlEncode(sealed);
  Status st = store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccount(customer_id, account_id)));
    LETHE_RETURN_IF_ERROR(tx.InsertIntegration(rec));
    return audit_.Record(tx, actor, "integration.add", rec.id, account_id, origin);
  });
  if (!st.ok()) {
    (void)keys_.DestroySecretKey(account_id, rec.id);  // nothing was sealed for keeps
    return st;
  }
  return rec;
}

Result<std::vector<IntegrationRecord>> Integrations::List(const std::string& customer_id,
                                                          const std::string& account_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  return store_.ListIntegrations(account_id);
}

Result<std::string> Integrations::Token(const std::string& customer_id,
                                        const std::string& account_id, const std::string& id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  LETHE_ASSIGN_OR_RETURN(IntegrationRecord rec, store_.FindIntegration(account_id, id));
  auto sealed = Base64UrlDecode(rec.sealed_token);
  if (!sealed || sealed->size() < kNonceBytes + kTagBytes) {
    return Status::DataLoss("the sealed token of " + id + " is malformed");
  }
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.SecretKey(account_id, id, /*create=*/false));
  KeyWiper wipe(key);
  std::span<const uint8_t> all(*sealed);
  std::string token(sealed->size() - kNonceBytes - kTagBytes, '\0');
  LETHE_RETURN_IF_ERROR(Open(key, all.first<kNonceBytes>(), Bytes(Context(account_id, id)),
                             all.subspan(kNonceBytes),
                             std::span(reinterpret_cast<uint8_t*>(token.data()), token.size())));
  return token;
}

Status Integrations::Remove(const std::string& customer_id, const std::string& account_id,
                            const std::string& id, const Actor& actor,
                            const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindIntegration(account_id, id)));
  LETHE_RETURN_IF_ERROR(keys_.DestroySecretKey(account_id, id));
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.DeleteIntegration(account_id, id));
    return audit_.Record(tx, actor, "integration.remove", id, account_id, origin);
  });
}

}  // namespace lethe
