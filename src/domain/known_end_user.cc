#include "domain/known_end_user.h"

namespace lethe {

Status RequireKnownEndUser(MetadataReader& reader, const std::string& account_id,
                           const std::string& end_user) {
  MediaQuery media;
  media.account_id = account_id;
  media.end_user = end_user;
  media.limit = 1;
  LETHE_ASSIGN_OR_RETURN(auto owned, reader.ListMedia(media));
  if (!owned.empty()) return Status::Ok();
  UsageQuery usage;
  usage.account_id = account_id;
  usage.end_user = end_user;
  usage.limit = 1;
  LETHE_ASSIGN_OR_RETURN(auto seen, reader.ListUsageEvents(usage));
  if (!seen.empty()) return Status::Ok();
  return Status::NotFound("the account holds nothing of that end user");
}

}  // namespace lethe
