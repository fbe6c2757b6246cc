// RequestFulfilment: doing what a verified privacy request asks (RGT-1,
// RGT-3, RGT-4, ACC-9), and saying what was done.
//
//   access, portability   a single-use export link (ZIP, 24 hours)
//   rectification         the corrections, before and after in the history
//   erasure               the forgetting pipeline, with its signed receipt;
//                         a legal hold or the billing exception is stated
//   restriction,          a processing limit the ProcessingGate enforces;
//   objection, opt-outs   Lift() ends it, telling the subject first
//
// Each fulfilment moves the request verified/extended -> in_progress ->
// completed; the outcome (JSON) is kept on the request and returned.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/closures.h"
#include "domain/customers.h"
#include "domain/erasure_receipts.h"
#include "domain/erasures.h"
#include "domain/export_links.h"
#include "domain/media_library.h"
#include "domain/privacy_requests.h"
#include "domain/processing_limits.h"

namespace lethe {

// Corrections for a rectification: media metadata of the subject (an end
// user's request), or the customer's profile (a customer's own request).
struct Rectification {
  struct MediaFix {
    std::string media_id;
    std::optional<std::string> title;
    std::optional<std::vector<std::string>> tags;
  };
  std::vector<MediaFix> media;
  ProfilePatch profile;
};

struct Fulfilment {
  PrivacyRequestRecord request;
  boost::json::object outcome;
  std::optional<IssuedExportLink> download;  // access and portability
};

class RequestFulfilment {
 public:
  RequestFulfilment(MetadataStore& store, PrivacyRequests& requests, MediaLibrary& media,
                    Customers& customers, Erasures& erasures, Closures& closures,
                    const ErasureReceipts& receipts, ProcessingLimits& limits, ExportLinks& exports,
                    const Clock& clock)
      : store_(store),
        requests_(requests),
        media_(media),
        customers_(customers),
        erasures_(erasures),
        closures_(closures),
        receipts_(receipts),
        limits_(limits),
        exports_(exports),
        clock_(clock) {}

  // Fulfils request `id` of `customer_id`; `fixes` only for rectification.
  // FailedPrecondition("invalid-transition") unless it is verified or
  // extended; InvalidArgument("invalid-field") for a rectification with
  // nothing to correct or a media of another subject (NotFound for an
  // unknown media); the failing domain call's error otherwise, leaving the
  // request in_progress so it can be fulfilled again.
  Result<Fulfilment> Fulfil(const std::string& customer_id, const std::string& id,
                            const Rectification& fixes, const Actor& actor,
                            const RequestOrigin& origin);

  // Begins lifting the limit that request `id` placed: the subject is
  // notified first (through the customer, for an end user), and the gate
  // refuses until that notice has gone out. NotFound when no limit of the
  // request is in force; FailedPrecondition when lifting already began.
  Result<PrivacyRequestRecord> Lift(const std::string& customer_id, const std::string& id,
                                    const Actor& actor, const RequestOrigin& origin);

 private:
  Result<boost::json::object> Rectify(const PrivacyRequestRecord& r, const Rectification& fixes,
                                      const RequestOrigin& origin);
  Result<boost::json::object> Erase(const PrivacyRequestRecord& r, const RequestOrigin& origin);

  MetadataStore& store_;
  PrivacyRequests& requests_;
  MediaLibrary& media_;
  Customers& customers_;
  Erasures& erasures_;
  Closures& closures_;
  const ErasureReceipts& receipts_;
  ProcessingLimits& limits_;
  ExportLinks& exports_;
  const Clock& clock_;
};

}  // namespace lethe
