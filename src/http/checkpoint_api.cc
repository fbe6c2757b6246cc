#include "http/checkpoint_api.h"

#include <boost/json.hpp>

#include "common/encoding.h"

namespace lethe {
namespace {

// A tree size from the query: decimal digits only, at most 18 of them.
Result<uint64_t> SizeParam(const HttpRequest& req, const char* name) {
  auto raw = req.Query(name);
  bool ok = raw && !raw->empty() && raw->size() <= 18 &&
            raw->find_first_not_of("0123456789") == std::string::npos;
  if (!ok) {
    return Status::InvalidArgument("bad-request",
                                   std::string(name) + " must be a tree size (a decimal number)");
  }
  return std::stoull(*raw);
}

}  // namespace

void AddCheckpointRoutes(Router& router, AuditCheckpoints& checkpoints, uint64_t max_json_body) {
  router.Add("GET", "/.well-known/lethe/checkpoint", Auth::kNone, max_json_body,
             [&checkpoints](HttpRequest&, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(std::string note, checkpoints.SignedCheckpoint());
               HttpResponse r;
               r.body = std::move(note);
               r.SetHeader("Content-Type", "text/plain; charset=utf-8");
               r.SetHeader("Cache-Control", "no-store");
               return r;
             });
  router.Add("GET", "/.well-known/lethe/checkpoint/consistency", Auth::kNone, max_json_body,
             [&checkpoints](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
               LETHE_ASSIGN_OR_RETURN(uint64_t from, SizeParam(req, "from"));
               LETHE_ASSIGN_OR_RETURN(uint64_t to, SizeParam(req, "to"));
               LETHE_ASSIGN_OR_RETURN(auto proof, checkpoints.ConsistencyProof(from, to));
               boost::json::array hashes;
               for (const MerkleHash& h : proof) hashes.emplace_back(Base64Encode(h));
               return HttpResponse::Json(
                   200,
                   boost::json::object{{"from", from}, {"to", to}, {"proof", std::move(hashes)}});
             });
}

}  // namespace lethe
