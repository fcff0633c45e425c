// The guarantees of table positions after migration 0008 (migrations/*/0008_positions_checks.sql)
// on both backends: the value checks (OR chains on SQLite), the references to funds and
// snapshot_versions (foreign keys on SQLite, statement-level triggers on PostgreSQL) for every
// kind of writer, and a database migrated from 0007 with positions rows keeps every row.
#include <soci/postgresql/soci-postgresql.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/bulk_insert.h"
#include "db/internal/database.h"
#include "db/internal/migrator.h"
#include "db/internal/snapshot_rows.h"
#include "gtest/gtest.h"
#include "tests/testing/backup_fixture.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using db::Backend;

// One positions row as a VALUES tuple.
std::string Row(int64_t version_id, int row_no, int64_t fund_id,
                const std::string& classification = "'OTC_SWAP'",
                const std::string& asset_class = "'IR'") {
  return absl::StrCat("(", version_id, ", ", row_no, ", ", fund_id,
                      ", '2026-03-02', 'nick', 'BRISIN', 'CODE', 'SWAP', ", classification,
                      ", 1000000, 2000000, 3000000, 4000000, NULL, NULL, ", asset_class,
                      ", NULL, NULL, 'LONG', 'NONE', NULL, NULL, 'BRL')");
}

std::string Insert(const std::vector<std::string>& rows) {
  std::string sql = "INSERT INTO positions VALUES ";
  for (size_t i = 0; i < rows.size(); ++i) absl::StrAppend(&sql, i == 0 ? "" : ", ", rows[i]);
  return sql;
}

// The NOT NULL columns of positions, which the bulk-load tests fill.
const std::vector<std::string_view> kBulkColumns = {
    "version_id",     "row_no",          "fund_id",      "position_date",
    "asset_nickname", "isin",            "asset_code",   "asset_type_code",
    "classification", "quantity_micros", "price_micros", "notional_micros",
    "market_value_micros", "direction",  "option_type",  "currency"};

class PositionsConstraints : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    for (const char* sql : {
             "INSERT INTO managers (id, name, tax_id, created_at_us) VALUES (1, 'M', '1', 0)",
             "INSERT INTO funds (id, name, tax_id, manager_id, regulatory_class, target_audience,"
             " base_currency, active, created_at_us, updated_at_us) VALUES"
             " (101, 'A', 'a', 1, 'MULTIMERCADO', 'GENERAL', 'BRL', 1, 0, 0),"
             " (102, 'B', 'b', 1, 'ACOES', 'GENERAL', 'BRL', 1, 0, 0)",
             "INSERT INTO snapshot_versions (id, kind, reference_date, version, content_hash,"
             " row_count, source, created_at_us) VALUES"
             " (1, 'POSITIONS', '2026-03-02', 1, 'h', 1, 's', 0),"
             " (2, 'POSITIONS', '2026-03-02', 2, 'h', 0, 's', 0)"}) {
      ASSERT_TRUE(Exec(sql).ok()) << sql;
    }
  }

  // Runs `sql` in its own transaction; on PostgreSQL records the error's SQLSTATE in sqlstate_.
  absl::Status Exec(const std::string& sql) {
    sqlstate_.clear();
    return store().database().Write([&](soci::session& s) -> absl::Status {
      try {
        s << sql;
      } catch (const soci::postgresql_soci_error& e) {
        sqlstate_ = e.sqlstate();
        throw;
      }
      return absl::OkStatus();
    });
  }

  // The reference checks' failure: FailedPrecondition on both backends, SQLSTATE 23503 on
  // PostgreSQL, whose message names the column and the missing id.
  void ExpectReferenceError(const absl::Status& st, const std::string& pg_message) {
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
    if (GetParam() == Backend::kPostgresql) {
      EXPECT_EQ(sqlstate_, "23503") << st;
      EXPECT_NE(st.message().find(pg_message), absl::string_view::npos) << st;
    }
  }

  int64_t Count(const std::string& where = "1 = 1") {
    long long n = -1;
    absl::Status st = store().database().Read([&](soci::session& s) -> absl::Status {
      s << "SELECT count(*) FROM positions WHERE " + where, soci::into(n);
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return n;
  }

  std::string sqlstate_;
};

TEST_P(PositionsConstraints, EveryKnownClassificationAndAssetClassIsAcceptedAndNothingElse) {
  int row = 0;
  for (const char* c : {"OTC_OPTION", "OTC_SWAP", "OFFSHORE_FUND", "FOREIGN_INVESTMENT", "OTHER"}) {
    EXPECT_TRUE(Exec(Insert({Row(1, ++row, 101, absl::StrCat("'", c, "'"))})).ok()) << c;
  }
  for (const char* a : {"'IR'", "'FX'", "'CREDIT'", "'EQUITY'", "'COMMODITY'", "NULL"}) {
    EXPECT_TRUE(Exec(Insert({Row(1, ++row, 101, "'OTHER'", a)})).ok()) << a;
  }
  ASSERT_EQ(Count(), 11);
  for (const char* bad : {"'SWAP'", "'otc_swap'", "''"}) {
    absl::Status st = Exec(Insert({Row(1, ++row, 101, bad)}));
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad << ": " << st;
  }
  for (const char* bad : {"'RATES'", "'ir'", "''"}) {
    absl::Status st = Exec(Insert({Row(1, ++row, 101, "'OTHER'", bad)}));
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad << ": " << st;
  }
  EXPECT_TRUE(Exec("UPDATE positions SET classification = 'BOND' WHERE row_no = 1").code() ==
              absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(), 11);
  EXPECT_EQ(Count("classification = 'BOND'"), 0);
}

TEST_P(PositionsConstraints, AnUnknownFundOrVersionIsRefusedAndLeavesNothing) {
  ExpectReferenceError(Exec(Insert({Row(1, 1, 999)})), "fund_id 999 is not in funds");
  ExpectReferenceError(Exec(Insert({Row(77, 1, 101)})),
                       "version_id 77 is not in snapshot_versions");
  // One bad row among good ones fails the whole statement.
  ExpectReferenceError(
      Exec(Insert({Row(1, 1, 101), Row(1, 2, 102), Row(1, 3, 998), Row(2, 1, 101)})),
      "fund_id 998 is not in funds");
  ExpectReferenceError(Exec(Insert({Row(1, 1, 101), Row(78, 2, 102)})),
                       "version_id 78 is not in snapshot_versions");
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(Exec(Insert({Row(1, 1, 101), Row(1, 2, 102), Row(2, 1, 101)})).ok());
  EXPECT_EQ(Count(), 3);
}

// The bulk path: COPY FROM STDIN on PostgreSQL (its statement trigger fires for COPY too), the
// prepared INSERT on SQLite.
TEST_P(PositionsConstraints, ABulkLoadNamingAnUnknownFundOrVersionFailsWhole) {
  // 500 rows of funds 101/102 in version 1; the last one names `bad_version` and `bad_fund`.
  auto load = [&](int64_t bad_version, int64_t bad_fund) {
    return store().database().Write([&](soci::session& s) -> absl::Status {
      return db::BulkInsert(GetParam(), s, "positions", kBulkColumns, 500, [&](size_t i,
                                                                          db::RowSink& r) {
        bool last = i == 499;
        r.Int(last ? bad_version : 1);
        r.Int(static_cast<int64_t>(i) + 1);
        r.Int(last ? bad_fund : (i % 2 == 0 ? 101 : 102));
        r.Text("2026-03-02");
        for (int k = 0; k < 4; ++k) r.Text("x");
        r.Text("OTC_OPTION");
        for (int k = 0; k < 4; ++k) r.Int(1000000);
        r.Text("LONG");
        r.Text("CALL");
        r.Text("BRL");
      });
    });
  };
  absl::Status st = load(1, 555);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  if (GetParam() == Backend::kPostgresql) {
    EXPECT_NE(st.message().find("fund_id 555 is not in funds"), absl::string_view::npos) << st;
  }
  st = load(66, 101);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  if (GetParam() == Backend::kPostgresql) {
    EXPECT_NE(st.message().find("version_id 66 is not in snapshot_versions"),
              absl::string_view::npos)
        << st;
  }
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(load(1, 101).ok());
  EXPECT_EQ(Count(), 500);
}

// A load written part by part through one BulkWriter (one COPY on PostgreSQL): every part lands,
// a bad row in a middle part fails the whole load, and a writer abandoned half-way (its COPY
// aborted) leaves the session fit for the next load.
TEST_P(PositionsConstraints, APartByPartLoadFailsOrLandsWhole) {
  // Three parts of 300 rows; row `bad_row` (0-based across parts) names fund 555.
  auto load = [&](int bad_row, bool abandon_after_first_part) {
    return store().database().Write([&](soci::session& s) -> absl::Status {
      db::BulkWriter writer(GetParam(), s, "positions", kBulkColumns);
      for (int part = 0; part < 3; ++part) {
        RETURN_IF_ERROR(writer.Add(300, [&](size_t i, db::RowSink& r) {
          const int row = part * 300 + static_cast<int>(i);
          r.Int(1);
          r.Int(row + 1);
          r.Int(row == bad_row ? 555 : 101 + row % 2);
          r.Text("2026-03-02");
          r.Text(absl::StrCat("asset ", row));
          for (int k = 0; k < 3; ++k) r.Text("x");
          r.Text("OTC_OPTION");
          for (int k = 0; k < 4; ++k) r.Int(row);
          r.Text("LONG");
          r.Text("CALL");
          r.Text("BRL");
        }));
        if (abandon_after_first_part) return absl::CancelledError("stopped by the test");
      }
      return writer.Finish();
    });
  };
  absl::Status st = load(450, false);  // in the second part
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_EQ(Count(), 0);
  EXPECT_EQ(load(-1, true).code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(load(-1, false).ok());
  EXPECT_EQ(Count(), 900);
  auto rows = store().database().Read([](soci::session& s) -> absl::StatusOr<std::string> {
    std::string first, last;
    s << "SELECT asset_nickname FROM positions WHERE row_no = 1", soci::into(first);
    s << "SELECT asset_nickname FROM positions WHERE row_no = 900", soci::into(last);
    return first + "|" + last;
  });
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, "asset 0|asset 899");
}

TEST_P(PositionsConstraints, AReferencedFundOrVersionCannotBeDeletedOrRekeyed) {
  ASSERT_TRUE(Exec(Insert({Row(1, 1, 101)})).ok());
  ExpectReferenceError(Exec("DELETE FROM funds WHERE id = 101"), "fund_id 101 is still named");
  ExpectReferenceError(Exec("DELETE FROM funds"), "fund_id 101 is still named");
  ExpectReferenceError(Exec("UPDATE funds SET id = 103 WHERE id = 101"),
                       "fund_id 101 is still named");
  ExpectReferenceError(Exec("DELETE FROM snapshot_versions WHERE id = 1"),
                       "version_id 1 is still named");
  ExpectReferenceError(Exec("UPDATE snapshot_versions SET id = 3 WHERE id = 1"),
                       "version_id 1 is still named");
  // Ids no position names go; other columns of referenced rows change freely.
  EXPECT_TRUE(Exec("UPDATE funds SET name = 'A2' WHERE id = 101").ok());
  EXPECT_TRUE(Exec("UPDATE snapshot_versions SET row_count = 2 WHERE id = 1").ok());
  EXPECT_TRUE(Exec("DELETE FROM funds WHERE id = 102").ok());
  EXPECT_TRUE(Exec("DELETE FROM snapshot_versions WHERE id = 2").ok());
  EXPECT_EQ(Count(), 1);
  // Once the positions are gone, so may their fund and version.
  ASSERT_TRUE(Exec("DELETE FROM positions").ok());
  EXPECT_TRUE(Exec("DELETE FROM funds WHERE id = 101").ok());
  EXPECT_TRUE(Exec("DELETE FROM snapshot_versions WHERE id = 1").ok());
}

TEST_P(PositionsConstraints, UpdatingAPositionToAnUnknownFundOrVersionFails) {
  ASSERT_TRUE(Exec(Insert({Row(1, 1, 101), Row(1, 2, 101)})).ok());
  ExpectReferenceError(Exec("UPDATE positions SET fund_id = 404 WHERE row_no = 2"),
                       "fund_id 404 is not in funds");
  ExpectReferenceError(Exec("UPDATE positions SET version_id = 9"),
                       "version_id 9 is not in snapshot_versions");
  EXPECT_TRUE(Exec("UPDATE positions SET fund_id = 102 WHERE row_no = 2").ok());
  EXPECT_EQ(Count("fund_id = 102"), 1);
  EXPECT_EQ(Count("fund_id = 404 OR version_id = 9"), 0);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(PositionsConstraints);

// TRUNCATE runs no row triggers; the AFTER TRUNCATE statement triggers of funds and
// snapshot_versions refuse to leave positions pointing nowhere. CASCADE empties every table with
// a foreign key to them, so only that trigger stands between TRUNCATE and orphaned positions.
class PositionsTruncate : public PositionsConstraints {};

TEST_P(PositionsTruncate, TruncatingFundsOrVersionsAloneFailsWhilePositionsHasRows) {
  ASSERT_TRUE(Exec(Insert({Row(1, 1, 101)})).ok());
  ExpectReferenceError(Exec("TRUNCATE funds CASCADE"), "positions still references it");
  ExpectReferenceError(Exec("TRUNCATE snapshot_versions CASCADE"),
                       "positions still references it");
  EXPECT_EQ(Count(), 1);
  // Truncated together (the backup's `replace` does so), the check runs after all are empty.
  EXPECT_TRUE(Exec("TRUNCATE funds, snapshot_versions, positions CASCADE").ok());
  EXPECT_EQ(Count(), 0);
  EXPECT_TRUE(Exec("TRUNCATE funds CASCADE").ok());
}

INSTANTIATE_TEST_SUITE_P(Postgresql, PositionsTruncate,
                         ::testing::Values(Backend::kPostgresql), BackendTestName);

// A database at 0007 holding positions as that schema stored them (load order, funds
// interleaved) and every other table keeps every row through 0008 and 0009; 0009 renumbers each
// batch by fund (then old number) and records the funds' ranges.
class PositionsMigration : public ::testing::TestWithParam<Backend> {};

// Writes a positions version as riskcap did before 0009: row_no in load order, no ranges.
SnapshotVersion WriteInLoadOrder(db::Store& store, const db::NewVersion& v,
                                 const std::vector<Position>& rows) {
  auto written = store.database().Write([&](soci::session& s) -> absl::StatusOr<SnapshotVersion> {
    SnapshotVersion version;
    long long id = 0;
    long long count = static_cast<long long>(rows.size());
    std::string date = FormatDate(v.reference_date);
    s << "INSERT INTO snapshot_versions (kind, reference_date, version, content_hash, row_count,"
         " source, created_at_us) VALUES ('POSITIONS', :date, 1, :hash, :rows, 'old', 0)"
         " RETURNING id",
        soci::use(date), soci::use(v.content_hash), soci::use(count), soci::into(id);
    version.id = id;
    RETURN_IF_ERROR(db::BulkInsert(store.backend(), s, "positions", db::kPositionColumns,
                                   rows.size(), [&](size_t i, db::RowSink& sink) {
                                     sink.Int(id);
                                     sink.Int(static_cast<int64_t>(i) + 1);
                                     db::EncodePosition(rows[i], sink);
                                   }));
    return version;
  });
  if (!written.ok()) throw std::runtime_error(written.status().ToString());
  return *written;
}

TEST_P(PositionsMigration, MigratingFrom0007KeepsEveryRowAndGroupsEachFundsRows) {
  auto scratch = ScratchDatabase::Create(GetParam());
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  auto opened = db::Store::Open((*scratch)->url(), 2);
  ASSERT_TRUE(opened.ok()) << opened.status();
  db::Store& store = **opened;
  auto at7 = db::MigrateUpTo(store.database(), 7);
  ASSERT_TRUE(at7.ok()) << at7.status();
  ASSERT_EQ(*at7, 7);
  int64_t version_id = 0;
  FillEveryTable(store, /*positions=*/1500,
                 [&](const db::NewVersion& v, const std::vector<Position>& rows) {
                   SnapshotVersion written = WriteInLoadOrder(store, v, rows);
                   version_id = written.id;
                   return written;
                 });
  std::vector<std::vector<std::string>> before;
  // Tables that migrations after 0007 create are not there yet.
  auto added_later = [](const std::string& table) {
    return table == "position_fund_ranges" || table == "auth_failures" ||
           table == "server_secrets" || table == "audit_checkpoints" ||
           table == "audit_chain" || table == "audit_chain_gaps" ||
           table == "manager_emails" || table == "manager_webhooks" || table == "deliveries" ||
           table == "margin_status_inputs" || table == "fund_status_counts" ||
           table == "fund_status_totals";
  };
  for (const std::string& table : kBackedUpTables) {
    if (!added_later(table)) before.push_back(DumpTable(store, table));
  }
  const std::vector<std::string> positions_before = DumpTable(store, "positions");
  ASSERT_EQ(positions_before.size(), 1500u);

  auto latest = store.Migrate();
  ASSERT_TRUE(latest.ok()) << latest.status();
  ASSERT_GE(*latest, 9);
  size_t k = 0;
  for (const std::string& table : kBackedUpTables) {
    if (added_later(table) || table == "positions") {
      k += table == "positions";
      continue;
    }
    EXPECT_EQ(DumpTable(store, table), before[k++]) << table;
  }
  // Positions: the same rows, fund 101's (the even load positions) first, then fund 201's, each
  // fund's in their old order; their ranges recorded; a fund's read is exactly its rows.
  std::vector<Position> all, fund_101, fund_201;
  std::vector<int64_t> numbers;
  for (db::Page page{0, 400};;) {
    auto rows = store.ListPositions(version_id, std::nullopt, page, &numbers);
    ASSERT_TRUE(rows.ok()) << rows.status();
    all.insert(all.end(), rows->begin(), rows->end());
    if (rows->size() < 400u) break;
    page.after_id = numbers.back();
  }
  ASSERT_EQ(all.size(), 1500u);
  for (size_t i = 0; i < all.size(); ++i) {
    const size_t old = i < 750 ? 2 * i : 2 * (i - 750) + 1;  // old row_no - 1
    EXPECT_EQ(all[i].asset_code, absl::StrCat("C", old)) << "row " << i + 1;
    EXPECT_EQ(numbers[i], static_cast<int64_t>(i) + 1);
    (all[i].fund_id == 101 ? fund_101 : fund_201).push_back(all[i]);
  }
  EXPECT_EQ(DumpTable(store, "position_fund_ranges").size(), 2u);
  auto read_101 = store.ListPositions(version_id, 101, db::Page{0, 5000});
  ASSERT_TRUE(read_101.ok()) << read_101.status();
  EXPECT_EQ(*read_101, fund_101);
  auto read_201 = store.ListPositions(version_id, 201, db::Page{0, 5000});
  ASSERT_TRUE(read_201.ok()) << read_201.status();
  EXPECT_EQ(*read_201, fund_201);

  // The migrated table still checks values and references.
  absl::Status bad = store.database().Write([&](soci::session& s) -> absl::Status {
    s << "UPDATE positions SET asset_class = 'RATES' WHERE row_no = 1";
    return absl::OkStatus();
  });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
  bad = store.database().Write([&](soci::session& s) -> absl::Status {
    s << "UPDATE positions SET fund_id = 424242 WHERE row_no = 1";
    return absl::OkStatus();
  });
  EXPECT_EQ(bad.code(), absl::StatusCode::kFailedPrecondition) << bad;
  // What 0008 and 0009 are for: no IN-list checks on SQLite (an ephemeral B-tree per row), no
  // per-row foreign-key triggers on PostgreSQL, and no index entry per position.
  int slow = -1, indexes = -1;
  ASSERT_TRUE(store.database()
                  .Read([&](soci::session& s) -> absl::Status {
                    s << (GetParam() == Backend::kSqlite
                              ? "SELECT count(*) FROM sqlite_master WHERE name = 'positions'"
                                " AND sql LIKE '% IN (%'"
                              : "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                                " AND conrelid = 'positions'::regclass"),
                        soci::into(slow);
                    s << (GetParam() == Backend::kSqlite
                              ? "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                " AND tbl_name = 'positions' AND sql IS NOT NULL"
                              : "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                "current_schema() AND tablename = 'positions'"
                                " AND indexname <> 'positions_pkey'"),
                        soci::into(indexes);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(slow, 0);
  EXPECT_EQ(indexes, 0);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(PositionsMigration);

}  // namespace
}  // namespace riskcap::testing
