// margin_status_inputs reads and writes (status_inputs.h).
#include "db/status_inputs.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"

namespace riskcap::db {

absl::Status RecordStatusInputs(Store& store, int64_t version_id,
                                const rules::StatusInputIds& ids) {
  return store.database().Write([&](soci::session& s) -> absl::Status {
    long long version = version_id;
    Nullable<long long> nav = NullableInt(ids.nav_version_id);
    Nullable<long long> exposure = NullableInt(ids.exposure_version_id);
    Nullable<long long> positions = NullableInt(ids.positions_version_id);
    std::string config = ids.rules_config;
    s << "INSERT INTO margin_status_inputs (version_id, nav_version_id, exposure_version_id,"
         " positions_version_id, rules_config) VALUES (:v, :n, :e, :p, :c)",
        soci::use(version), soci::use(nav.value, nav.indicator),
        soci::use(exposure.value, exposure.indicator),
        soci::use(positions.value, positions.indicator), soci::use(config);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<rules::StatusInputIds>> GetStatusInputs(Store& store,
                                                                     int64_t version_id) {
  using Result = absl::StatusOr<std::optional<rules::StatusInputIds>>;
  return store.database().Read([&](soci::session& s) -> Result {
    long long version = version_id;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT nav_version_id, exposure_version_id, positions_version_id,"
                      " rules_config FROM margin_status_inputs WHERE version_id = :v",
         soci::use(version));
    for (const soci::row& row : rows) {
      RowReader r(row);
      rules::StatusInputIds ids;
      ids.nav_version_id = r.OptInt();
      ids.exposure_version_id = r.OptInt();
      ids.positions_version_id = r.OptInt();
      ids.rules_config = r.Str();
      return std::optional<rules::StatusInputIds>(std::move(ids));
    }
    return std::optional<rules::StatusInputIds>();
  });
}

absl::StatusOr<SnapshotVersion> GetSnapshotVersionById(Store& store, int64_t id) {
  struct Key {
    SnapshotKind kind;
    Date date;
    int32_t version;
  };
  ASSIGN_OR_RETURN(Key key, store.database().Read([&](soci::session& s) -> absl::StatusOr<Key> {
    long long wanted = id;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT kind, reference_date, version FROM snapshot_versions WHERE id = :id",
         soci::use(wanted));
    for (const soci::row& row : rows) {
      RowReader r(row);
      Key k{r.Enum<SnapshotKind>(), Date(), 0};
      k.date = r.DateValue();
      k.version = static_cast<int32_t>(r.Int());
      return k;
    }
    return absl::NotFoundError(absl::StrCat("snapshot version ", id, " not found"));
  }));
  return store.GetSnapshotVersion(key.kind, key.date, key.version);
}

}  // namespace riskcap::db
