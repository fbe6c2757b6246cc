// The text of an export's subject.json and README.txt (subject_export.h),
// in pieces: the fixed part, then one element at a time of the two lists
// that can grow without bound (media, usage events), so the document is
// written as it is read and never held whole. The shape is documented in
// docs/schemas/subject-export.schema.json; keep the two in step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/closures.h"
#include "domain/subject_export.h"
#include "ports/records.h"

namespace lethe {

// What the fixed part of subject.json says.
struct SubjectFacts {
  ExportSubject subject;
  std::string jurisdiction;
  int64_t generated_ms = 0;
  int64_t since_ms = 0;                 // first usage event time held
  CustomerRecord customer;              // the subject (customer) or the controller (end user)
  std::vector<AccountRecord> accounts;  // the customer's; the end user's one account
  std::vector<ApiKeyRecord> api_keys;   // customer subject only
  RetentionClasses classes;
};

// subject.json up to and including the opening of the media list.
std::string DocumentHead(const SubjectFacts& facts);
// One media element ("media/<id>.<ext>" names its file in the ZIP).
std::string MediaElement(const MediaRecord& m);
// Between the media and the usage event lists.
std::string DocumentMiddle();
// One usage event element.
std::string UsageElement(const UsageEvent& e);
// Closes the usage event list and the document.
std::string DocumentTail();

// The ZIP path of media `m`'s file.
std::string MediaPath(const MediaRecord& m);

// README.txt for an export of `facts`.
std::string ReadmeText(const SubjectFacts& facts);

}  // namespace lethe
