#include "http/ops_backup_api.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "crypto/secret_hash.h"

namespace lethe {

void AddOpsBackupRoute(Router& router, Backups& backups, std::string token_digest) {
  // No gate: the route checks its own credential, the ops token.
  router.Add("POST", "/v1/ops/backups", Auth::kNone, 1024,
             [&backups, digest = std::move(token_digest)](HttpRequest& req,
                                                          const Caller&) -> Result<HttpResponse> {
               const std::string& auth = req.Header("authorization");
               constexpr std::string_view kBearer = "Bearer ";
               bool ok = auth.size() > kBearer.size() &&
                         auth.compare(0, kBearer.size(), kBearer) == 0 &&
                         ConstantTimeEquals(TokenDigest(auth.substr(kBearer.size())), digest);
               if (!ok) return Status::Unauthenticated("the ops token is missing or wrong");
               LETHE_ASSIGN_OR_RETURN(BackupSummary made, backups.Create());
               return HttpResponse::Json(
                   201, boost::json::object{{"path", made.path},
                                            {"id", made.manifest.id},
                                            {"epoch", made.manifest.epoch},
                                            {"created_at", FormatRfc3339(made.manifest.created_ms)},
                                            {"files", made.manifest.files.size()},
                                            {"blobs", made.blobs},
                                            {"bytes", made.bytes}});
             });
}

}  // namespace lethe
