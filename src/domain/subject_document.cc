#include "domain/subject_document.h"

#include <boost/json.hpp>

#include "common/time_format.h"

namespace lethe {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr int kFormatVersion = 1;

value Time(std::optional<int64_t> ms) {
  if (!ms) return nullptr;
  return value(FormatRfc3339(*ms));
}

value Optional(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return value(*s);
}

value Days(std::optional<int64_t> days) {
  if (!days) return nullptr;
  return value(*days);
}

object Retention(std::string category, std::string kept, std::optional<int64_t> days,
                 std::string from) {
  return object{{"category", std::move(category)},
                {"kept", std::move(kept)},
                {"days", Days(days)},
                {"from", std::move(from)}};
}

object AccountJson(const AccountRecord& a) {
  return object{{"id", a.id},
                {"name", a.name},
                {"region", a.region},
                {"created_at", FormatRfc3339(a.created_ms)},
                {"retention_days", Days(a.retention_days)},
                {"closed_at", Time(a.closed_ms)}};
}

object Profile(const SubjectFacts& f) {
  if (!f.subject.is_customer()) {
    // Lethe knows an end user only by the reference the customer gave.
    return object{{"end_user", f.subject.end_user}, {"account_id", f.subject.account_id}};
  }
  const CustomerRecord& c = f.customer;
  return object{{"customer_id", c.id},
                {"name", c.name},
                {"email", c.email},
                {"country", c.country},
                {"birth_date", c.birth_date},
                {"company", Optional(c.company)},
                {"job_title", Optional(c.job_title)},
                {"use_case", Optional(c.use_case)},
                {"phone", Optional(c.phone)},
                {"created_at", FormatRfc3339(c.created_ms)},
                {"closed_at", Time(c.closed_ms)}};
}

object Disclosures(const SubjectFacts& f) {
  array recipients;
  if (!f.subject.is_customer()) {
    for (const AccountRecord& a : f.accounts) {
      recipients.push_back(object{
          {"name", a.name},
          {"account_id", a.id},
          {"role", "controller"},
          {"purposes", array{"storing and streaming the end user's media for the customer's app",
                             "usage records of the app's requests"}}});
    }
  }
  return object{
      {"sold", false},
      {"shared_for_advertising", false},
      {"recipients", std::move(recipients)},
      {"sub_processors", array{}},
      {"statement",
       "Lethe sells no data and shares none with third parties (SHR-1). It records no "
       "disclosure of this subject's data to anyone but the controller named here; the "
       "deployment uses no sub-processor. A disclosure ledger (SHR-3, SHR-4) will list any "
       "here."}};
}

array RetentionList(const SubjectFacts& f) {
  array out;
  if (!f.subject.is_customer()) {
    for (const AccountRecord& a : f.accounts) {
      out.push_back(Retention(
          "media",
          a.retention_days ? "until the account's retention ends, unless a media sets its own "
                             "expiry (expires_at of each media), or until deleted"
                           : "until the customer deletes it, or its own expiry (expires_at of "
                             "each media)",
          a.retention_days, "upload"));
    }
    out.push_back(Retention("usage_events",
                            "while the account exists; de-identified when the end user is erased "
                            "or the account closed (USE-7)",
                            std::nullopt, "request"));
    return out;
  }
  const RetentionClasses& c = f.classes;
  out.push_back(Retention("login_events_and_profile_details",
                          "date of birth, country, company, job title, use case, phone and "
                          "login events, after the customer closes",
                          c.other_days, "closure"));
  out.push_back(Retention("support_messages", "after closure (Lethe stores none yet)",
                          c.support_days, "closure"));
  out.push_back(
      Retention("crm", "name, email, account names and ids, after closure", c.crm_days, "closure"));
  out.push_back(
      Retention("invoices", "after closure (Lethe bills nothing yet)", c.invoice_days, "closure"));
  out.push_back(
      Retention("api_keys", "until deleted, or the account closes", std::nullopt, "creation"));
  return out;
}

std::string Json(const value& v) { return boost::json::serialize(v); }

}  // namespace

std::string MediaPath(const MediaRecord& m) {
  return "media/" + m.id + "." + ExportExtension(m.content_type);
}

std::string DocumentHead(const SubjectFacts& f) {
  object subject{
      {"kind", f.subject.is_customer() ? "customer" : "end_user"},
      {"customer_id", f.subject.customer_id},
      {"account_id", f.subject.account_id.empty() ? value(nullptr) : value(f.subject.account_id)},
      {"end_user", f.subject.end_user.empty() ? value(nullptr) : value(f.subject.end_user)}};
  array accounts;
  for (const AccountRecord& a : f.accounts) accounts.push_back(AccountJson(a));
  array keys;
  for (const ApiKeyRecord& k : f.api_keys) {
    keys.push_back(object{{"id", k.id},
                          {"account_id", k.account_id},
                          {"created_at", FormatRfc3339(k.created_ms)},
                          {"last_used_at", Time(k.last_used_ms)}});
  }
  object doc{
      {"format", "lethe-subject-export"},
      {"version", kFormatVersion},
      {"generated_at", FormatRfc3339(f.generated_ms)},
      {"jurisdiction", f.jurisdiction},
      {"subject", std::move(subject)},
      {"lookback",
       object{{"usage_events_since", f.since_ms > 0 ? value(FormatRfc3339(f.since_ms)) : nullptr},
              {"months", f.jurisdiction == "ccpa" ? value(12) : nullptr}}},
      {"profile", Profile(f)},
      {"accounts", std::move(accounts)},
      {"api_keys", std::move(keys)},
      {"consents", array{}},
      {"disclosures", Disclosures(f)},
      {"retention", RetentionList(f)},
  };
  std::string text = Json(doc);
  text.pop_back();  // the closing brace: the lists follow
  return text + ",\"media\":[";
}

std::string MediaElement(const MediaRecord& m) {
  array tags;
  for (const std::string& t : m.tags) tags.push_back(value(t));
  return Json(object{{"id", m.id},
                     {"account_id", m.account_id},
                     {"end_user", m.end_user},
                     {"kind", m.kind},
                     {"content_type", m.content_type},
                     {"bytes", m.bytes},
                     {"sha256", m.sha256},
                     {"title", m.title},
                     {"tags", std::move(tags)},
                     {"created_at", FormatRfc3339(m.created_ms)},
                     {"expires_at", Time(m.expires_ms)},
                     {"file", MediaPath(m)}});
}

std::string DocumentMiddle() { return "],\"usage_events\":["; }

std::string UsageElement(const UsageEvent& e) {
  return Json(object{{"id", e.id},
                     {"time", FormatRfc3339(e.time_ms)},
                     {"account_id", e.account_id},
                     {"credential_id", e.credential_id},
                     {"end_user", e.end_user},
                     {"ip", e.ip},
                     {"device_type", e.device_type},
                     {"browser", e.browser},
                     {"browser_version", e.browser_version},
                     {"language", e.language},
                     {"country", e.country},
                     {"method", e.method},
                     {"route", e.route},
                     {"status", e.status}});
}

std::string DocumentTail() { return "]}\n"; }

std::string ReadmeText(const SubjectFacts& f) {
  std::string who =
      f.subject.is_customer()
          ? "you, customer " + f.subject.customer_id + " (Lethe is the controller of this data)"
          : "end user \"" + f.subject.end_user + "\" of account " + f.subject.account_id +
                " (Lethe processes this data for that account's owner)";
  std::string lookback = f.jurisdiction == "ccpa" ? "usage events of the 12 months before " +
                                                        FormatRfc3339(f.generated_ms) + " (CCPA)"
                                                  : "every usage event Lethe holds (GDPR)";
  return "Lethe data export\n"
         "=================\n\n"
         "This archive is a copy of the personal data Lethe holds about " +
         who + ", made at " + FormatRfc3339(f.generated_ms) +
         ".\n\n"
         "README.txt\n"
         "  This file.\n\n"
         "subject.json\n"
         "  Everything about the subject in one machine-readable document (UTF-8 JSON),\n"
         "  described by the JSON Schema docs/schemas/subject-export.schema.json\n"
         "  (draft 2020-12) shipped with Lethe:\n"
         "  - subject: whose data this is; lookback: which usage events are included\n"
         "    (" +
         lookback +
         ");\n"
         "  - profile, accounts, api_keys: what Lethe knows about the subject (API keys\n"
         "    are listed without their secrets, which Lethe never stores);\n"
         "  - consents: choices recorded (empty until Lethe keeps a consent ledger);\n"
         "  - disclosures: who received the data and why; Lethe sells none;\n"
         "  - retention: how long each kind of data is kept;\n"
         "  - media: metadata of each media file, with its path in this archive;\n"
         "  - usage_events: one record per request an app made about the subject\n"
         "    (IP address, device type, browser and version, language, country).\n\n"
         "media/<id>.<ext>\n"
         "  The original media files, decrypted: byte for byte what was uploaded.\n"
         "  subject.json gives each one's SHA-256 to check it against.\n";
}

}  // namespace lethe
