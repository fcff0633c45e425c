// riskcap reminder: the reminders sent to managers and the state of their deliveries, and the
// requeue of a failed delivery (FindingService.ListReminders, RetryDelivery).
#include <memory>
#include <string>

#include "client/command.h"
#include "client/proto_format.h"
#include "client/request_id.h"
#include "core/status_macros.h"
#include "riskcap/v1/finding.grpc.pb.h"

namespace riskcap::client {
namespace {

using Stub = v1::FindingService::Stub;

// One row per delivery; a reminder without deliveries (no contacts) gets one row of its own.
Table DeliveryTable(Table::Layout layout) {
  return Table({"reminder_id", "manager_id", "reference_date", "delivery_id", "channel",
                "address", "state", "attempts", "last_error", "sent_time"},
               layout);
}

void AddDelivery(const v1::Reminder& r, const v1::Delivery& d, Table& table) {
  table.AddRow({r.reminder_id(), r.manager_id(), r.reference_date(), d.delivery_id(),
                d.channel(), d.address(), EnumText(d.state()), d.attempts(), d.last_error(),
                TimestampCell(d.sent_time(), d.has_sent_time())});
}

absl::Status List(const CommandContext& context, int64_t manager) {
  v1::ListRemindersRequest request;
  request.set_manager_id(manager);
  ASSIGN_OR_RETURN(auto findings, context.Open<v1::FindingService>());
  Table table = DeliveryTable(Table::Layout::kRows);
  while (true) {
    v1::ListRemindersResponse page;
    RETURN_IF_ERROR(findings.Call(&Stub::ListReminders, request, &page));
    for (const v1::Reminder& r : page.reminders()) {
      if (r.deliveries().empty()) {
        table.AddRow({r.reminder_id(), r.manager_id(), r.reference_date(), Json(), "", "",
                      "NO_CONTACTS", 0, "", Json()});
      }
      for (const v1::Delivery& d : r.deliveries()) AddDelivery(r, d, table);
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  context.Print(table);
  return absl::OkStatus();
}

absl::Status Retry(const CommandContext& context, int64_t id, const std::string& request_id) {
  v1::RetryDeliveryRequest request;
  request.set_request_id(request_id.empty() ? NewRequestId() : request_id);
  request.set_delivery_id(id);
  ASSIGN_OR_RETURN(auto findings, context.Open<v1::FindingService>());
  v1::Delivery d;
  RETURN_IF_ERROR(findings.Call(&Stub::RetryDelivery, request, &d));
  Table table({"delivery_id", "channel", "address", "state", "attempts", "last_error"},
              Table::Layout::kRecord);
  table.AddRow({d.delivery_id(), d.channel(), d.address(), EnumText(d.state()), d.attempts(),
                d.last_error()});
  context.Print(table);
  return absl::OkStatus();
}

}  // namespace

void RegisterReminderCommands(CLI::App& app, CommandContext& context) {
  CLI::App* group = AddGroup(app, "reminder", "Reminders sent to managers and their deliveries",
                             "riskcap reminder list --manager 1");
  CLI::App* list = AddCommand(*group, "list",
                              "List reminders with one row per delivery and its state",
                              "riskcap reminder list --manager 1 -o csv");
  auto manager = std::make_shared<int64_t>(0);
  list->add_option("--manager", *manager, "only this manager's reminders")
      ->check(CLI::PositiveNumber);
  context.SetAction(list, [&context, manager] { return List(context, *manager); });
  CLI::App* retry = AddCommand(*group, "retry", "Requeue a FAILED delivery (ANALYST, ADMIN)",
                               "riskcap reminder retry 42");
  auto id = std::make_shared<int64_t>(0);
  auto request_id = std::make_shared<std::string>();
  retry->add_option("id", *id, "delivery id")->required()->check(CLI::PositiveNumber);
  retry->add_option("--request-id", *request_id, "idempotency key (default: a random UUID)");
  context.SetAction(retry, [&context, id, request_id] { return Retry(context, *id, *request_id); });
}

}  // namespace riskcap::client
