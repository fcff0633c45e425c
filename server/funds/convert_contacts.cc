// Managers' contacts and deliveries proto <-> core.
#include "server/funds/convert_contacts.h"

#include "absl/strings/str_cat.h"
#include "core/contacts.h"
#include "server/rpc/convert_common.h"

namespace riskcap::server {

const FieldPaths& ManagerUpdatePaths() {
  static const auto* paths = [] {
    auto* all = new FieldPaths(ManagerPaths());
    all->insert(ContactPaths().begin(), ContactPaths().end());
    return all;
  }();
  return *paths;
}

void MergeContacts(const v1::Manager& in, const FieldPaths& paths, const std::string& prefix,
                   ManagerContacts* out, FieldErrors& errors) {
  if (paths.contains("contact_emails")) {
    const std::string field = prefix + ".contact_emails";
    if (static_cast<size_t>(in.contact_emails_size()) > kMaxContactEmails) {
      errors.Add(field, absl::StrCat("has ", in.contact_emails_size(), " addresses; at most ",
                                     kMaxContactEmails, " are allowed"));
    }
    FieldPaths seen;
    for (int i = 0; i < in.contact_emails_size(); ++i) {
      const std::string& address = in.contact_emails(i);
      const std::string at = absl::StrCat(field, "[", i, "]");
      if (auto st = CheckEmailAddress(address); !st.ok()) errors.Add(at, std::string(st.message()));
      if (!seen.insert(address).second) errors.Add(at, "repeats an address given before");
    }
    out->emails.assign(in.contact_emails().begin(), in.contact_emails().end());
  }
  if (paths.contains("webhook_url")) {
    if (!in.webhook_url().empty()) {
      if (auto st = CheckWebhookUrl(in.webhook_url()); !st.ok()) {
        errors.Add(prefix + ".webhook_url", std::string(st.message()));
      }
    }
    out->webhook_url = in.webhook_url();
  }
  if (paths.contains("webhook_secret")) {
    const size_t n = in.webhook_secret().size();
    if (n < kMinWebhookSecretBytes || n > kMaxWebhookSecretBytes) {
      errors.Add(prefix + ".webhook_secret",
                 absl::StrCat("must be ", kMinWebhookSecretBytes, " to ", kMaxWebhookSecretBytes,
                              " bytes, got ", n));
    }
    out->webhook_secret = in.webhook_secret();
  }
  if (out->webhook_url.empty()) {
    out->webhook_secret.clear();  // no webhook, nothing to sign
  } else if (out->webhook_secret.empty()) {
    errors.Add(prefix + ".webhook_secret", "is required with a webhook_url");
  }
}

void ContactsToProto(const ManagerContacts& contacts, v1::Manager* out) {
  out->clear_contact_emails();
  for (const std::string& e : contacts.emails) out->add_contact_emails(e);
  out->set_webhook_url(contacts.webhook_url);
  out->clear_webhook_secret();
  out->set_webhook_secret_set(!contacts.webhook_secret.empty());
}

void ToProto(const Delivery& d, v1::Delivery* out) {
  out->set_delivery_id(d.id);
  out->set_channel(std::string(EnumName(d.channel)));
  out->set_address(d.address);
  out->set_state(static_cast<v1::DeliveryState>(static_cast<int>(d.state) + 1));
  out->set_attempts(d.attempts);
  out->set_last_error(d.last_error);
  out->set_message_id(d.message_id);
  ToProtoTime(d.created_at, out->mutable_create_time());
  ToProtoTime(d.next_attempt_at, out->mutable_next_attempt_time());
  if (d.last_attempt_at) ToProtoTime(*d.last_attempt_at, out->mutable_last_attempt_time());
  if (d.sent_at) ToProtoTime(*d.sent_at, out->mutable_sent_time());
}

}  // namespace riskcap::server
