#include "domain/security_notices.h"

#include "common/time_format.h"

namespace lethe {
namespace {

std::string Place(const RequestOrigin& o) {
  std::string browser = o.browser.empty() ? "an unknown browser" : o.browser;
  std::string country = o.country.empty() ? "an unknown country" : o.country;
  return browser + " in " + country + ", IP address " + o.ip;
}

}  // namespace

Status SecurityNotices::Mail(MetadataTx& tx, const CustomerRecord& customer,
                             const std::string& subject, const std::string& what,
                             const RequestOrigin& origin) {
  if (!outbox_) return Status::Ok();
  std::string text = "Hello " + customer.name + ",\n\n" + what + " (" +
                     FormatRfc3339(clock_.NowMillis()) +
                     ").\n\nIf this was not you, change your password now, sign out everywhere "
                     "(DELETE /v1/sessions) and tell us.\n\nRequest id: " +
                     origin.request_id + "\n";
  return StatusOf(outbox_->Send(tx, customer.email, "Security notice: " + subject, text));
}

Status SecurityNotices::SignedIn(MetadataTx& tx, const CustomerRecord& customer,
                                 const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(auto history, tx.ListLoginEvents(customer.id, kHistory));
  if (history.empty()) return Status::Ok();  // the baseline
  bool known_browser = false, known_country = false;
  for (const LoginEvent& e : history) {
    known_browser = known_browser || e.browser == origin.browser;
    known_country = known_country || e.country == origin.country;
  }
  if (known_browser && known_country) return Status::Ok();
  std::string what = !known_browser && !known_country ? "a new device and a new country"
                     : !known_browser                 ? "a new device"
                                                      : "a new country";
  LETHE_RETURN_IF_ERROR(
      Mail(tx, customer, "sign-in from " + what,
           "Your Lethe login was signed in to from " + what + ": " + Place(origin), origin));
  return audit_.Record(tx, Actor::Customer(customer.id), "security.new_sign_in_place", customer.id,
                       "", origin);
}

Status SecurityNotices::FailureBurst(MetadataTx& tx, const CustomerRecord& customer,
                                     const RequestOrigin& origin, int64_t failures) {
  LETHE_RETURN_IF_ERROR(Mail(tx, customer, "failed sign-ins",
                             std::to_string(failures) +
                                 " sign-ins to your Lethe login failed with a wrong password; "
                                 "further attempts are slowed down. The last came from " +
                                 Place(origin),
                             origin));
  return audit_.Record(tx, Actor::Customer(customer.id), "security.failed_sign_ins", customer.id,
                       "", origin);
}

Status SecurityNotices::PasswordChanged(MetadataTx& tx, const CustomerRecord& customer,
                                        const RequestOrigin& origin, int64_t revoked) {
  return Mail(tx, customer, "password changed",
              "The password of your Lethe login was changed from " + Place(origin) + ", and " +
                  std::to_string(revoked) + " other session(s) were signed out",
              origin);
}

}  // namespace lethe
