// Snapshot rows (NAV snapshots, NAV history, positions, exposures): proto <-> core, with the
// validation of uploaded rows.
#pragma once

#include <optional>
#include <string_view>

#include "core/exposure.h"
#include "core/field_errors.h"
#include "core/nav.h"
#include "core/position.h"
#include "core/snapshot_version.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/ingest.pb.h"

namespace riskcap::server {

// Longest accepted free-text fields of uploaded rows.
constexpr size_t kMaxLabelLength = 200;

// Uploaded row -> core. Checks every input field on its own and records each violation as
// "<path>.<field>" (path e.g. "rows[12]"); output-only fields are ignored. The result is
// meaningful only when nothing was recorded. Rules that need context (dates against the load's
// reference date, duplicate rows, unknown funds) are the caller's.
// - NavSnapshot: fund_id > 0; position_date and nav required; an empty derivatives_exposure or
//   derivatives_at_risk is 0; doubles finite; criticality_class up to 200 characters.
// - NavHistoryEntry: fund_id > 0; nav_date, opening_nav and closing_nav required.
// - Position: fund_id > 0; position_date, classification, quantity, price, notional and
//   market_value required; leg balances, dates, OTC enums, strike and underlying price optional
//   (end_date not before start_date; doubles finite); isin empty or 12 letters/digits; currency
//   empty or 3 upper-case letters; asset_nickname, asset_code, asset_type_code up to 200.
NavSnapshot NavSnapshotFromProto(const v1::NavSnapshot& in, std::string_view path,
                                 FieldErrors& errors);
NavHistoryEntry NavHistoryFromProto(const v1::NavHistoryEntry& in, std::string_view path,
                                    FieldErrors& errors);
Position PositionFromProto(const v1::Position& in, std::string_view path, FieldErrors& errors);

// Core -> proto, naming the snapshot version the row was read from.
void ToProto(const NavSnapshot& in, const SnapshotVersion& version, v1::NavSnapshot* out);
// The row's own fields; its load fields (reference_date, version, load_id, job_run_id) are set by
// SetLoad when the caller knows the load.
void ToProto(const NavHistoryEntry& in, v1::NavHistoryEntry* out);
void SetLoad(const SnapshotVersion& version, v1::NavHistoryEntry* out);
// Positions carry no load fields (the list response does); `asset_type_description` is the
// dimension table's text for the row's asset_type_code, empty when unknown.
void ToProto(const Position& in, std::string_view asset_type_description, v1::Position* out);
// `offshore_share_of_nav` is unset without a positive NAV; the row's own stored measure, when
// present, is used instead. positions_load_id is left 0: the
// store's SnapshotVersion does not expose the source version.
void ToProto(const FundExposure& in, const SnapshotVersion& version,
             std::optional<double> offshore_share_of_nav, v1::FundExposure* out);
// The response to an upload that wrote (or, when `replayed`, had already written) `version`.
void ToProto(const SnapshotVersion& version, bool replayed, v1::UploadResponse* out);

}  // namespace riskcap::server
