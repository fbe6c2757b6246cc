// Whether an account knows an end user. End users are not registered in
// Lethe: an end user exists for an account once it has media or usage
// events there. Staff actions scoped to one end user (legal holds, legal
// requests) refuse a name the account has never seen, so a typo does not
// silently cover no one.
#pragma once

#include <string>

#include "common/status.h"
#include "ports/metadata_store.h"

namespace lethe {

// OK when account `account_id` holds media of, or usage events naming,
// `end_user`; NotFound when it holds neither; the store's error otherwise.
Status RequireKnownEndUser(MetadataReader& reader, const std::string& account_id,
                           const std::string& end_user);

}  // namespace lethe
