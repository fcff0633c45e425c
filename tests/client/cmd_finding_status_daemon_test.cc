// `riskcap finding ...`, `riskcap reminder ...`, `riskcap status` and `riskcap backup` end to end
// against the real riskcapd after the real pipeline ran from the simulated upstream.
#include <csignal>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "db/backup.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "tests/client/cli_daemon_harness.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::HasSubstr;

using CliFindingDaemon = CliDaemon;
using CliReminderDaemon = CliDaemon;
using CliStatusDaemon = CliDaemon;

std::vector<Json> JsonLines(const std::string& text) {
  std::vector<Json> lines;
  std::vector<std::string> texts = absl::StrSplit(text, '\n', absl::SkipEmpty());
  for (const std::string& line : texts) {
    lines.push_back(Json::parse(line));
  }
  return lines;
}

TEST_P(CliFindingDaemon, WatchPrintsTheFindingsThePipelineRaises) {
  auto watch = riskcap::testing::Subprocess::Start(
      CliArgv({"finding", "watch", "-o", "json"}), CliEnv(analyst_));
  ASSERT_TRUE(watch.ok()) << watch.status();
  // The CLI says it is watching once the server has opened the stream: from then on nothing
  // raised is missed.
  absl::Status watching = (*watch)->WaitForStderr("riskcap: watching for new findings");
  ASSERT_TRUE(watching.ok()) << watching;
  ASSERT_GT(RunPipeline(), 0);

  CliResult list = Cli({"finding", "list", "--all", "-o", "json"}, analyst_);
  ASSERT_EQ(list.code, 0) << list.err;
  Json listed = Json::parse(list.out);
  ASSERT_FALSE(listed.empty()) << "the simulated upstream's data raises findings";
  std::set<int64_t> listed_ids;
  for (const Json& f : listed) listed_ids.insert(f.at("finding_id").get<int64_t>());

  // The watch prints every raised finding as a JSON line.
  std::set<int64_t> watched_ids;
  for (int i = 0; i < 200 && watched_ids.size() < listed_ids.size(); ++i) {
    absl::SleepFor(absl::Milliseconds(25));
    std::string out = (*watch)->Stdout();
    out = out.substr(0, out.rfind('\n') + 1);  // whole lines only
    watched_ids.clear();
    for (const Json& f : JsonLines(out)) watched_ids.insert(f.at("finding_id").get<int64_t>());
  }
  EXPECT_EQ(watched_ids, listed_ids);
  // An idle watch says on stderr that it is watching; stdout carries only findings.
  EXPECT_THAT((*watch)->Stderr(), HasSubstr("riskcap: watching for new findings; Ctrl-C stops"));
  (*watch)->Signal(SIGINT);
  auto code = (*watch)->Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok()) << code.status();
  for (const Json& f : JsonLines((*watch)->Stdout())) {
    EXPECT_EQ(f.at("state"), "OPEN");
    EXPECT_FALSE(f.at("rule").get<std::string>().empty());
  }

  // Replay: --after skips what was seen, then stops when interrupted.
  const int64_t first = *listed_ids.begin();
  auto replay = riskcap::testing::Subprocess::Start(
      CliArgv({"finding", "watch", "--after", std::to_string(first), "-o", "csv"}),
      CliEnv(analyst_));
  ASSERT_TRUE(replay.ok());
  for (int i = 0; i < 200 && CsvRecords((*replay)->Stdout()).size() + 1 < listed_ids.size(); ++i) {
    absl::SleepFor(absl::Milliseconds(25));
  }
  (*replay)->Signal(SIGINT);
  ASSERT_TRUE((*replay)->Wait(absl::Seconds(10)).ok());
  auto replayed = CsvRecords((*replay)->Stdout());
  ASSERT_EQ(replayed.size() + 1, listed_ids.size());
  for (auto& f : replayed) EXPECT_GT(std::stoll(f["finding_id"]), first);
}

TEST_P(CliFindingDaemon, ListAcknowledgeResolveAndTheirErrors) {
  ASSERT_GT(RunPipeline(), 0);
  CliResult critical = Cli({"finding", "list", "--severity", "CRITICAL", "-o", "csv"}, analyst_);
  ASSERT_EQ(critical.code, 0) << critical.err;
  auto rows = CsvRecords(critical.out);
  ASSERT_FALSE(rows.empty()) << "the simulated upstream has funds in breach";
  for (auto& row : rows) EXPECT_EQ(row["severity"], "CRITICAL");
  const std::string id = rows[0]["finding_id"];
  const std::string fund = rows[0]["fund_id"];

  CliResult table = Cli({"finding", "list", "--severity", "CRITICAL"}, analyst_);
  ASSERT_EQ(table.code, 0) << table.err;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), rows.size() + 1) << table.out;
  EXPECT_THAT(lines[0], HasSubstr("FINDING_ID"));
  EXPECT_THAT(lines[1], HasSubstr(rows[0]["message"]));

  CliResult by_fund = Cli({"finding", "list", "--fund", fund, "-o", "json"}, analyst_);
  ASSERT_EQ(by_fund.code, 0) << by_fund.err;
  const Json fund_findings = Json::parse(by_fund.out);
  ASSERT_FALSE(fund_findings.empty()) << "finding " << id << " belongs to fund " << fund;
  bool found = false;
  for (const Json& f : fund_findings) {
    EXPECT_EQ(std::to_string(f.at("fund_id").get<int64_t>()), fund);
    found = found || std::to_string(f.at("finding_id").get<int64_t>()) == id;
  }
  EXPECT_TRUE(found) << "finding " << id << " missing from --fund " << fund;

  CliResult ack = Cli({"finding", "ack", id, "-o", "json"}, analyst_);
  ASSERT_EQ(ack.code, 0) << ack.err;
  EXPECT_EQ(Json::parse(ack.out).at("state"), "ACKNOWLEDGED");
  EXPECT_FALSE(Json::parse(ack.out).at("acknowledged_by").get<std::string>().empty());

  CliResult resolve =
      Cli({"finding", "resolve", id, "--resolution", "manager cut the position", "-o", "csv"},
          analyst_);
  ASSERT_EQ(resolve.code, 0) << resolve.err;
  auto resolved = CsvRecords(resolve.out);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0]["state"], "RESOLVED");
  EXPECT_EQ(resolved[0]["resolution"], "manager cut the position");

  CliResult listed = Cli({"finding", "list", "--state", "RESOLVED", "-o", "csv"}, analyst_);
  ASSERT_EQ(listed.code, 0) << listed.err;
  auto resolved_rows = CsvRecords(listed.out);
  ASSERT_EQ(resolved_rows.size(), 1u);
  EXPECT_EQ(resolved_rows[0]["finding_id"], id);

  // Errors: a resolved finding cannot be acknowledged (7), an unknown one (4), a bad severity (2),
  // the service role may read but not acknowledge (5).
  CliResult again = Cli({"finding", "ack", id}, analyst_);
  EXPECT_EQ(again.code, 7);
  EXPECT_EQ(again.err, absl::StrCat("riskcap: failed precondition: finding ", id,
                                    " is RESOLVED: only an OPEN finding can be acknowledged\n"));
  CliResult unknown = Cli({"finding", "ack", "99999"}, analyst_);
  EXPECT_EQ(unknown.code, 4);
  EXPECT_EQ(unknown.err, "riskcap: not found: finding 99999 not found\n");
  CliResult severity = Cli({"finding", "list", "--severity", "LOUD"}, analyst_);
  EXPECT_EQ(severity.code, 2);
  EXPECT_THAT(severity.err, HasSubstr("--severity"));
  CliResult no_resolution = Cli({"finding", "resolve", id}, analyst_);
  EXPECT_EQ(no_resolution.code, 2);
  EXPECT_THAT(no_resolution.err, HasSubstr("--resolution is required"));
  CliResult denied = Cli({"finding", "ack", rows.back()["finding_id"]}, service_);
  EXPECT_EQ(denied.code, 5) << denied.err;
}

// The reminders as FindingService.ListReminders returns them, every page.
std::vector<v1::Reminder> ListReminders(const std::string& address, const std::string& token) {
  auto stub = v1::FindingService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  std::vector<v1::Reminder> reminders;
  v1::ListRemindersRequest request;
  while (true) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::ListRemindersResponse page;
    grpc::Status st = stub->ListReminders(&ctx, request, &page);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) break;
    reminders.insert(reminders.end(), page.reminders().begin(), page.reminders().end());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return reminders;
}

// (reminder_id, delivery_id or "", state) of each row `reminder list` should print: one per
// delivery, or one NO_CONTACTS row for a reminder of a manager without contacts.
using ReminderRow = std::tuple<std::string, std::string, std::string>;

std::multiset<ReminderRow> ExpectedReminderRows(const std::vector<v1::Reminder>& reminders) {
  std::multiset<ReminderRow> rows;
  for (const v1::Reminder& r : reminders) {
    const std::string id = std::to_string(r.reminder_id());
    if (r.deliveries().empty()) rows.insert({id, "", "NO_CONTACTS"});
    for (const v1::Delivery& d : r.deliveries()) {
      rows.insert({id, std::to_string(d.delivery_id()),
                   v1::DeliveryState_Name(d.state()).substr(sizeof("DELIVERY_STATE_") - 1)});
    }
  }
  return rows;
}

// This riskcapd has no SMTP server: e-mail deliveries wait PENDING. The upstream's managers came
// with an address (registry sync); managers 1 and 2 existed before without one.
TEST_P(CliReminderDaemon, ListGivesOneRowPerDeliveryWithItsState) {
  ASSERT_GT(RunPipeline(), 0);
  const std::vector<v1::Reminder> reminders = ListReminders(daemon_->address(), analyst_);
  ASSERT_FALSE(reminders.empty()) << "the simulated upstream has late funds";
  CliResult list = Cli({"reminder", "list", "-o", "csv"}, analyst_);
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out.substr(0, list.out.find('\n')),
            "reminder_id,manager_id,reference_date,delivery_id,channel,address,state,attempts,"
            "last_error,sent_time");
  std::multiset<ReminderRow> listed;
  std::set<std::string> states;
  for (auto& row : CsvRecords(list.out)) {
    listed.insert({row["reminder_id"], row["delivery_id"], row["state"]});
    states.insert(row["state"]);
    EXPECT_EQ(row["reference_date"], TodayUtc());
    if (row["state"] == "NO_CONTACTS") {
      EXPECT_TRUE(row["address"].empty() && row["channel"].empty()) << row["reminder_id"];
    } else {
      EXPECT_EQ(row["channel"], "EMAIL");
      EXPECT_EQ(row["state"], "PENDING") << "no SMTP server: nothing is attempted";
      EXPECT_EQ(row["attempts"], "0");
      EXPECT_TRUE(row["sent_time"].empty());
      EXPECT_THAT(row["address"], ::testing::MatchesRegex("risk@manager-[0-9]+\\.example\\.com"));
    }
  }
  EXPECT_EQ(listed, ExpectedReminderRows(reminders));
  EXPECT_EQ(states, (std::set<std::string>{"NO_CONTACTS", "PENDING"}))
      << "both a manager with contacts and one without have late funds";

  CliResult mine = Cli({"reminder", "list", "--manager", "1", "-o", "csv"}, analyst_);
  ASSERT_EQ(mine.code, 0) << mine.err;
  auto manager_rows = CsvRecords(mine.out);
  ASSERT_FALSE(manager_rows.empty());
  for (auto& row : manager_rows) {
    EXPECT_EQ(row["manager_id"], "1");
    EXPECT_EQ(row["state"], "NO_CONTACTS");
  }
}

TEST_P(CliReminderDaemon, RetryRefusesADeliveryThatIsNotFailedAndAnUnknownOne) {
  ASSERT_GT(RunPipeline(), 0);
  CliResult list = Cli({"reminder", "list", "-o", "csv"}, analyst_);
  ASSERT_EQ(list.code, 0) << list.err;
  std::string pending;
  for (auto& row : CsvRecords(list.out)) {
    if (row["state"] == "PENDING") pending = row["delivery_id"];
  }
  ASSERT_FALSE(pending.empty()) << list.out;

  CliResult retry = Cli({"reminder", "retry", pending}, analyst_);
  EXPECT_EQ(retry.code, 7) << retry.err;  // conflict: the state does not allow it
  EXPECT_EQ(retry.err, absl::StrCat("riskcap: failed precondition: delivery ", pending,
                                    " is PENDING; only a FAILED one can be retried\n"));
  EXPECT_TRUE(retry.out.empty()) << retry.out;
  CliResult unknown = Cli({"reminder", "retry", "999999"}, analyst_);
  EXPECT_EQ(unknown.code, 4) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("riskcap: not found: "));
  EXPECT_THAT(unknown.err, HasSubstr("999999"));
  CliResult denied = Cli({"reminder", "retry", pending}, service_);  // ANALYST or ADMIN only
  EXPECT_EQ(denied.code, 5) << denied.err;
  CliResult usage = Cli({"reminder", "retry", "-3"}, analyst_);
  EXPECT_EQ(usage.code, 2) << usage.err;

  // Nothing was requeued: the delivery is still PENDING with no attempt.
  CliResult after = Cli({"reminder", "list", "-o", "csv"}, analyst_);
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(after.out, list.out);
}

TEST_P(CliStatusDaemon, StatusRowsAgreeWithTheSummaryAndFiltersHold) {
  ASSERT_GT(RunPipeline(), 0);
  CliResult summary = Cli({"status", "--summary", "-o", "json"}, analyst_);
  ASSERT_EQ(summary.code, 0) << summary.err;
  Json kpis = Json::parse(summary.out);
  EXPECT_EQ(kpis.at("snapshot_reference_date"), TodayUtc());
  const int64_t monitored = kpis.at("monitored_fund_count").get<int64_t>();
  EXPECT_GT(monitored, 0);
  EXPECT_GT(kpis.at("received_count").get<int64_t>(), 0) << "today's submissions count";
  // funds_per_class as objects, adding up to the monitored funds.
  int64_t per_class = 0;
  for (const Json& c : kpis.at("funds_per_class")) per_class += c.at("fund_count").get<int64_t>();
  EXPECT_EQ(per_class, monitored) << kpis.at("funds_per_class");

  CliResult status = Cli({"status", "-o", "csv"}, analyst_);
  ASSERT_EQ(status.code, 0) << status.err;
  auto rows = CsvRecords(status.out);
  EXPECT_EQ(static_cast<int64_t>(rows.size()), monitored);
  int64_t received = 0, breach = 0, on_time = 0;
  for (auto& row : rows) {
    EXPECT_NE(row["consolidated_exposure"], "NONE");
    received += row["validation_status"] != "NOT_RECEIVED" ? 1 : 0;
    breach += row["risk_capital_limit_status"] == "BREACH" ? 1 : 0;
    on_time += row["deadline_status"] == "ON_TIME" ? 1 : 0;
  }
  EXPECT_EQ(received, kpis.at("received_count").get<int64_t>());
  EXPECT_EQ(breach, kpis.at("breach_count").get<int64_t>());
  EXPECT_EQ(on_time, kpis.at("on_time_count").get<int64_t>());

  // Filters.
  CliResult breaches = Cli({"status", "--limit", "BREACH", "-o", "json"}, analyst_);
  ASSERT_EQ(breaches.code, 0) << breaches.err;
  EXPECT_EQ(static_cast<int64_t>(Json::parse(breaches.out).size()), breach);
  CliResult otc = Cli({"status", "--exposure", "OTC", "-o", "csv"}, analyst_);
  ASSERT_EQ(otc.code, 0) << otc.err;
  auto otc_rows = CsvRecords(otc.out);
  EXPECT_EQ(static_cast<int64_t>(otc_rows.size()), kpis.at("otc_fund_count").get<int64_t>());
  for (auto& row : otc_rows) EXPECT_EQ(row["consolidated_exposure"], "OTC");
  const Json& first_class = kpis.at("funds_per_class").at(0);
  CliResult by_class = Cli(
      {"status", "--class", first_class.at("regulatory_class").get<std::string>(), "-o", "json"},
      analyst_);
  ASSERT_EQ(by_class.code, 0) << by_class.err;
  EXPECT_EQ(Json::parse(by_class.out).size(), first_class.at("fund_count").get<size_t>());
  CliResult all = Cli({"status", "--all-funds", "-o", "csv"}, analyst_);
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_GT(CsvRecords(all.out).size(), rows.size()) << "some upstream funds are not exposed";
  const std::string fund = rows[0]["fund_id"];
  CliResult one = Cli({"status", "--fund", fund}, analyst_);
  ASSERT_EQ(one.code, 0) << one.err;
  std::vector<std::string> lines = absl::StrSplit(one.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << one.out;
  EXPECT_THAT(lines[0], HasSubstr("FUND_ID"));
  EXPECT_THAT(lines[1], HasSubstr(rows[0]["fund_name"]));

  // For people: labelled KPIs, one class per line, rates and utilisation as percentages, money
  // grouped, the gross margin beside the utilisation.
  CliResult text = Cli({"status", "--summary"}, analyst_);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr(absl::StrCat("Funds monitored")));
  EXPECT_THAT(text.out, ::testing::ContainsRegex("Validation rate +[0-9]+\\.[0-9][0-9]%"));
  EXPECT_THAT(text.out, ::testing::ContainsRegex("\nFunds: [A-Z][^\n]* +[0-9]+\n"));
  EXPECT_THAT(text.out, HasSubstr(absl::StrCat("riskcap finding list --date ", TodayUtc())));
  EXPECT_THAT(text.out, ::testing::Not(HasSubstr("validation_rate")));
  CliResult table = Cli({"status"}, analyst_);
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("RISK_CAPITAL_GROSS_MARGIN"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("[0-9]+\\.[0-9][0-9]%"));
  EXPECT_THAT(table.out, ::testing::ContainsRegex("[0-9],[0-9]{3}\\.[0-9][0-9]"));

  // The KPI's open findings are the date's unresolved findings: the same count either way.
  CliResult of_date = Cli({"finding", "list", "--date", TodayUtc(), "--all", "-o", "json"},
                          analyst_);
  ASSERT_EQ(of_date.code, 0) << of_date.err;
  int64_t unresolved = 0;
  for (const Json& f : Json::parse(of_date.out)) {
    EXPECT_EQ(f.at("reference_date"), TodayUtc());
    const bool of_a_fund = f.at("fund_id").is_number() && f.at("fund_id").get<int64_t>() > 0;
    unresolved += f.at("state") != "RESOLVED" && of_a_fund ? 1 : 0;
  }
  EXPECT_EQ(unresolved, kpis.at("open_finding_count").get<int64_t>());

  // Errors.
  CliResult unknown_fund = Cli({"status", "--fund", "999999"}, analyst_);
  EXPECT_EQ(unknown_fund.code, 4) << unknown_fund.out << unknown_fund.err;
  CliResult fund_get = Cli({"fund", "get", "999999"}, analyst_);
  EXPECT_EQ(unknown_fund.err, fund_get.err);
  EXPECT_TRUE(unknown_fund.out.empty()) << unknown_fund.out;
  CliResult bad_class = Cli({"status", "--class", "TULIPS"}, analyst_);
  EXPECT_EQ(bad_class.code, 2);
  EXPECT_THAT(bad_class.err, HasSubstr("--class"));
  CliResult no_snapshot = Cli({"status", "--summary", "--date", "2001-01-02"}, analyst_);
  EXPECT_EQ(no_snapshot.code, 4) << no_snapshot.err;
  EXPECT_THAT(no_snapshot.err, HasSubstr("riskcap: not found"));
}

TEST_P(CliStatusDaemon, BackupToASqliteFileHoldsTheStore) {
  ASSERT_GT(RunPipeline(), 0);
  const std::string file = (dir_ / "backup.db").string();
  // A file name inside the server's RISKCAP_BACKUP_DIR; only an ADMIN key names a target.
  CliResult backup = Cli({"backup", "--to", "backup.db", "--watch"}, admin_);
  ASSERT_EQ(backup.code, 0) << backup.out << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("backup SUCCEEDED"));

  CliResult all = Cli({"fund", "list", "-o", "csv"}, analyst_);  // inactive ones too
  ASSERT_EQ(all.code, 0) << all.err;
  CliResult findings = Cli({"finding", "list", "--all", "-o", "csv"}, analyst_);
  ASSERT_EQ(findings.code, 0) << findings.err;

  auto copy = db::Store::Open("sqlite:" + file, 1);
  ASSERT_TRUE(copy.ok()) << copy.status();
  auto report = db::HashStore(**copy);
  ASSERT_TRUE(report.ok()) << report.status();
  std::map<std::string, int64_t> rows;
  for (const db::TableReport& table : report->tables) rows[table.table] = table.rows;
  EXPECT_EQ(rows["funds"], static_cast<int64_t>(CsvRecords(all.out).size()));
  EXPECT_EQ(rows["findings"], static_cast<int64_t>(CsvRecords(findings.out).size()));
  EXPECT_GT(rows["margin_submissions"], 0);

  // Without --to the backup goes to the server's RISKCAP_BACKUP_URL; this server has none.
  CliResult no_target = Cli({"backup"}, service_);
  EXPECT_EQ(no_target.code, 3) << no_target.err;  // INVALID_ARGUMENT, naming the target
  EXPECT_THAT(no_target.err, HasSubstr("parameters.target"));
  EXPECT_THAT(no_target.err, HasSubstr("RISKCAP_BACKUP_URL"));
  CliResult denied = Cli({"backup", "--to", "backup2.db"}, analyst_);
  EXPECT_EQ(denied.code, 5) << denied.err;
  CliResult service = Cli({"backup", "--to", "backup2.db"}, service_);
  EXPECT_EQ(service.code, 5) << service.err;
  CliResult outside = Cli({"backup", "--to", "sqlite:" + file + ".2"}, admin_);
  EXPECT_EQ(outside.code, 3) << outside.err;  // INVALID_ARGUMENT
  EXPECT_THAT(outside.err, HasSubstr("parameters.target"));
  EXPECT_FALSE(std::filesystem::exists(file + ".2"));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliFindingDaemon);
RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliReminderDaemon);
RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliStatusDaemon);

}  // namespace
}  // namespace riskcap::client::cli_testing
