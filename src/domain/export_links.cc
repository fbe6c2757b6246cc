#include "domain/export_links.h"

#include <optional>
#include <utility>

#include "crypto/secret_hash.h"

namespace lethe {

Result<IssuedExportLink> ExportLinks::Issue(const std::string& customer_id,
                                            const std::string& request_id,
                                            const ExportSubject& subject,
                                            const std::string& jurisdiction, const Actor& actor,
                                            const RequestOrigin& origin) {
  if (jurisdiction != "gdpr" && jurisdiction != "ccpa") {
    return Status::InvalidArgument("invalid-field", "the jurisdiction must be gdpr or ccpa");
  }
  if (request_id.empty() || subject.customer_id != customer_id) {
    return Status::InvalidArgument("invalid-field",
                                   "an export answers one request of its customer");
  }
  if (subject.account_id.empty() != subject.end_user.empty()) {
    return Status::InvalidArgument("invalid-field", "an end user is named with their account");
  }
  IssuedExportLink out;
  out.token = RandomToken(random_, "lex_");
  ExportLinkRecord link;
  link.token_digest = TokenDigest(out.token);
  link.customer_id = customer_id;
  link.request_id = request_id;
  link.account_id = subject.account_id;
  link.end_user = subject.end_user;
  link.jurisdiction = jurisdiction;
  link.created_ms = clock_.NowMillis();
  link.expires_ms = link.created_ms + kLifetimeMs;
  out.expires_ms = link.expires_ms;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    if (!subject.account_id.empty()) {
      LETHE_RETURN_IF_ERROR(tx.FindAccount(customer_id, subject.account_id));
    }
    LETHE_RETURN_IF_ERROR(tx.InsertExportLink(link));
    return audit_.Record(tx, actor, "export_link.issue", request_id, subject.account_id, origin);
  }));
  return out;
}

namespace {

Status Usable(const ExportLinkRecord& link, int64_t now_ms) {
  if (link.used_ms) return Status::Gone("link-gone", "this export link was used already");
  if (now_ms >= link.expires_ms) return Status::Gone("link-gone", "this export link has expired");
  return Status::Ok();
}

}  // namespace

Result<std::string> ExportLinks::Check(const std::string& token) {
  LETHE_ASSIGN_OR_RETURN(ExportLinkRecord link, store_.FindExportLink(TokenDigest(token)));
  LETHE_RETURN_IF_ERROR(Usable(link, clock_.NowMillis()));
  return link.request_id;
}

Result<int64_t> ExportLinks::SweepExpired() {
  int64_t deleted = 0;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(deleted,
                           tx.DeleteExportLinksExpiredBefore(clock_.NowMillis() - kKeptExpiredMs));
    return Status::Ok();
  }));
  return deleted;
}

Result<RedeemedExport> ExportLinks::Redeem(const std::string& token, const RequestOrigin& origin) {
  // Looked up by digest, as sessions are: timing can reveal at most how a
  // SHA-256 of the guess compares with stored digests, not the token.
  const std::string digest = TokenDigest(token);
  ExportLinkRecord link;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(link, tx.FindExportLink(digest));
    LETHE_RETURN_IF_ERROR(Usable(link, clock_.NowMillis()));
    LETHE_RETURN_IF_ERROR(tx.MarkExportLinkUsed(digest, clock_.NowMillis()));
    return audit_.Record(tx, Actor::Customer(link.customer_id), "export_link.redeem",
                         link.request_id, link.account_id, origin);
  }));
  ExportSubject subject{link.customer_id, link.account_id, link.end_user};
  LETHE_ASSIGN_OR_RETURN(std::unique_ptr<ExportStream> stream,
                         exports_.Open(subject, link.jurisdiction));
  return RedeemedExport{std::move(stream), link.request_id};
}

}  // namespace lethe
