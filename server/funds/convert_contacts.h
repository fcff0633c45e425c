// Managers' contacts (e-mail addresses, webhook) proto <-> core, with field-level validation, and
// deliveries to proto.
#pragma once

#include <string>

#include "core/delivery.h"
#include "core/field_errors.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/finding.pb.h"
#include "server/funds/convert_fund.h"

namespace riskcap::server {

// The update-mask paths of a manager's contacts.
inline const FieldPaths& ContactPaths() {
  static const auto* paths = new FieldPaths{"contact_emails", "webhook_url", "webhook_secret"};
  return *paths;
}

// ManagerPaths() and ContactPaths(): what UpdateManager's mask may name.
const FieldPaths& ManagerUpdatePaths();

// Validates the contact fields of `in` named in `paths` and copies them onto `*out`; violations
// on "<prefix>.contact_emails[i]", "<prefix>.webhook_url", "<prefix>.webhook_secret". The result
// must be complete: a webhook URL needs a secret (given now or already in `*out`).
void MergeContacts(const v1::Manager& in, const FieldPaths& paths, const std::string& prefix,
                   ManagerContacts* out, FieldErrors& errors);

// Fills the contact fields of `out`; the secret itself is never copied, only whether one is set.
void ContactsToProto(const ManagerContacts& contacts, v1::Manager* out);

void ToProto(const Delivery& delivery, v1::Delivery* out);

}  // namespace riskcap::server
