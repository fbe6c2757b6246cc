#include "domain/marketing_mail.h"

#include "common/utf8.h"
#include "crypto/secret_hash.h"
#include "domain/purposes.h"

namespace lethe {
namespace {

constexpr int kBatch = 500;

}  // namespace

MarketingMail::MarketingMail(MetadataStore& store, JobQueue& jobs, Mailer& mailer,
                             ConsentLedger& consents, AuditLog& audit, const Clock& clock,
                             Random& random, std::string from, std::string public_url)
    : store_(store),
      jobs_(jobs),
      mailer_(mailer),
      consents_(consents),
      audit_(audit),
      clock_(clock),
      random_(random),
      from_(std::move(from)),
      public_url_(std::move(public_url)) {
  jobs_.Handle(kJobKind, [this](const JobRecord& job) { return Deliver(job); });
}

Result<MarketingMail::Campaign> MarketingMail::SendToAll(const std::string& subject,
                                                         const std::string& text,
                                                         const Actor& actor,
                                                         const RequestOrigin& origin) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes || !IsValidUtf8(subject) ||
      subject.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument("invalid-field", "subject must be one line of 1-200 bytes");
  }
  if (text.empty() || text.size() > kMaxBodyBytes || !IsValidUtf8(text)) {
    return Status::InvalidArgument("invalid-field", "body must be 1 byte to 256 KiB of UTF-8");
  }
  Campaign total;
  std::string after;
  // One transaction per batch: a campaign to many customers does not hold
  // the store for all of them at once.
  for (;;) {
    LETHE_ASSIGN_OR_RETURN(std::vector<CustomerRecord> batch,
                           store_.ListOpenCustomers(after, kBatch));
    if (batch.empty()) break;
    Campaign part;
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      part = Campaign{};
      for (const CustomerRecord& c : batch) {
        LETHE_ASSIGN_OR_RETURN(
            bool allowed, consents_.AllowsIn(tx, ConsentLedger::Customer(c.id), kPurposeMarketing));
        if (!allowed) {
          LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, "marketing.withheld", c.id, "", origin));
          ++part.withheld;
          continue;
        }
        OutboxRecord m{RandomId(random_, "msg_"), c.email,     subject, text,
                       clock_.NowMillis(),        std::nullopt};
        LETHE_RETURN_IF_ERROR(tx.InsertOutboxMessage(m));
        LETHE_RETURN_IF_ERROR(StatusOf(jobs_.Enqueue(tx, kJobKind, m.id + " " + c.id)));
        LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, "marketing.queued", m.id, "", origin));
        ++part.queued;
      }
      return Status::Ok();
    }));
    total.queued += part.queued;
    total.withheld += part.withheld;
    if (batch.size() < static_cast<size_t>(kBatch)) break;
    after = batch.back().id;
  }
  return total;
}

Status MarketingMail::Deliver(const JobRecord& job) {
  const size_t space = job.payload.find(' ');
  if (space == std::string::npos) return Status::Internal("malformed marketing job");
  const std::string message_id = job.payload.substr(0, space);
  const std::string customer_id = job.payload.substr(space + 1);
  LETHE_ASSIGN_OR_RETURN(OutboxRecord m, store_.FindOutboxMessage(message_id));
  if (m.sent_ms) return Status::Ok();  // a re-run after the send landed
  bool allowed = false;
  std::string token;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(
        allowed, consents_.AllowsIn(tx, ConsentLedger::Customer(customer_id), kPurposeMarketing));
    if (!allowed) {
      // Closed like a sent message (body dropped); the audit says withheld.
      LETHE_RETURN_IF_ERROR(tx.MarkOutboxSent(m.id, clock_.NowMillis()));
      return audit_.Record(tx, Actor::System("system"), "marketing.withheld", m.id, "",
                           RequestOrigin{});
    }
    token = RandomToken(random_, "lun_");
    return tx.InsertUnsubscribeToken(
        UnsubscribeTokenRecord{TokenDigest(token), customer_id, m.id, clock_.NowMillis()});
  }));
  if (!allowed) {
    ++withheld_at_delivery_;
    return Status::Ok();
  }
  const std::string link = public_url_ + "/v1/unsubscribe?token=" + token;
  MailMessage mail{m.id, from_, m.recipient, m.subject,
                   m.body +
                       "\n\n--\nYou get this because you opted in to Lethe's marketing "
                       "mail. Unsubscribe with one click: " +
                       link + "\n"};
  mail.headers = {{"List-Unsubscribe", "<" + link + ">"},
                  {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
  Status sent = mailer_.Send(mail);
  token.assign(token.size(), '\0');
  if (!sent.ok()) return sent;
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.MarkOutboxSent(m.id, clock_.NowMillis()));
    return audit_.Record(tx, Actor::System("system"), "marketing.sent", m.id, "", RequestOrigin{});
  });
}

Status MarketingMail::Unsubscribe(const std::string& token, const RequestOrigin& origin) {
  // Looked up by digest: the token itself is never stored or compared.
  LETHE_ASSIGN_OR_RETURN(UnsubscribeTokenRecord t, store_.FindUnsubscribeToken(TokenDigest(token)));
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(
        bool allowed,
        consents_.AllowsIn(tx, ConsentLedger::Customer(t.customer_id), kPurposeMarketing));
    LETHE_ASSIGN_OR_RETURN(std::vector<ConsentRecord> history, tx.ListConsents("", t.customer_id));
    bool opted_in_at_all = false;
    for (const ConsentRecord& c : history) {
      if (c.purpose == kPurposeMarketing) opted_in_at_all = c.decision == "opt_in";
    }
    // An opt-in awaiting renewal is still recorded as withdrawn.
    if (!allowed && !opted_in_at_all) return Status::Ok();
    ConsentEntry e{t.customer_id, "", "", std::string(kPurposeMarketing), "opt_out", "mail"};
    return StatusOf(
        consents_.RecordIn(tx, e, Actor::System("unsubscribe:" + t.message_id), origin));
  });
}

}  // namespace lethe
