-- riskcap schema v5 (sqlite): read-only views for BI tools (Metabase, Superset, ...).
-- docs/bi.md documents every view, its columns and the dashboard tile it feeds. Keep in step with
-- the other dialect's 0005_bi_views.sql (a test checks both have the same columns).
-- Money: every amount appears twice, as *_micros (BIGINT micro-units, exact) and as a decimal
-- column without the suffix. Dates: TEXT 'YYYY-MM-DD'. Decimal money columns are REAL (SQLite has no exact decimal):
-- they are for charts; for exact sums use the *_micros column (integer micro-units) and divide by
-- 1,000,000 at the end.
-- "Current" data everywhere: the highest version of the latest reference date of each snapshot
-- kind, as defined once by v_current_versions.

-- The current load of each snapshot kind: the highest version of its latest reference date.
CREATE VIEW v_current_versions AS
SELECT sv.id AS version_id, sv.kind, sv.reference_date, sv.version, sv.job_run_id,
       sv.created_at_us
FROM snapshot_versions sv
WHERE sv.reference_date = (SELECT MAX(r.reference_date) FROM snapshot_versions r
                           WHERE r.kind = sv.kind)
  AND sv.version = (SELECT MAX(m.version) FROM snapshot_versions m
                    WHERE m.kind = sv.kind AND m.reference_date = sv.reference_date);

-- Submission tracking ("Acompanhamento de envio"): one row per fund of the current
-- margin_status output.
CREATE VIEW v_submission_tracking AS
SELECT cv.reference_date AS status_date,
       cv.version_id AS status_version_id,
       fs.fund_id, f.name AS fund_name,
       fs.manager_id, m.name AS manager_name,
       fs.regulatory_class, fs.target_audience,
       fs.consolidated_exposure, fs.periodicity_days,
       fs.submission_id, fs.submission_state,
       fs.last_submission_date, fs.last_submission_source,
       fs.next_due_date, fs.days_to_due,
       fs.deadline_status, fs.validation_status,
       CASE WHEN ms.state = 'VALIDATED' THEN date(ms.decided_at_us / 1000000, 'unixepoch') END AS validation_date,
       fs.consolidated_margin_micros,
       (fs.consolidated_margin_micros / 1000000.0) AS consolidated_margin
FROM fund_status fs
JOIN v_current_versions cv ON cv.kind = 'MARGIN_STATUS' AND cv.version_id = fs.version_id
JOIN funds f ON f.id = fs.fund_id
JOIN managers m ON m.id = fs.manager_id
LEFT JOIN margin_submissions ms ON ms.id = fs.submission_id;

-- Fund overview ("Visão geral"): every fund with its current NAV, exposure and status.
CREATE VIEW v_fund_overview AS
SELECT f.id AS fund_id, f.name AS fund_name,
       f.manager_id, m.name AS manager_name,
       f.regulatory_class, f.target_audience, f.active,
       n.position_date AS nav_date,
       n.nav_micros, (n.nav_micros / 1000000.0) AS nav,
       e.position_date AS exposure_date,
       CASE WHEN e.fund_id IS NULL THEN NULL
            WHEN e.otc = 1 THEN 'OTC' WHEN e.offshore = 1 THEN 'OFFSHORE' ELSE 'NONE'
       END AS consolidated_exposure,
       e.otc AS exposed_otc, e.offshore AS exposed_offshore,
       e.otc_notional_micros, (e.otc_notional_micros / 1000000.0) AS otc_notional,
       e.offshore_market_value_micros, (e.offshore_market_value_micros / 1000000.0) AS offshore_market_value,
       e.offshore_share_of_nav,
       s.deadline_status, s.validation_status, s.limit_status, s.utilisation
FROM funds f
JOIN managers m ON m.id = f.manager_id
LEFT JOIN (SELECT x.* FROM nav_snapshots x
           JOIN v_current_versions c ON c.kind = 'NAV_SNAPSHOT' AND c.version_id = x.version_id) n
  ON n.fund_id = f.id
LEFT JOIN (SELECT x.* FROM fund_exposures x
           JOIN v_current_versions c ON c.kind = 'EXPOSURE' AND c.version_id = x.version_id) e
  ON e.fund_id = f.id
LEFT JOIN (SELECT x.* FROM fund_status x
           JOIN v_current_versions c ON c.kind = 'MARGIN_STATUS' AND c.version_id = x.version_id) s
  ON s.fund_id = f.id;

-- The current NAV history row of each (fund, date): the one from the latest load that has it
-- (as SnapshotService.ListNavHistory reads it).
CREATE VIEW v_nav_history_current AS
SELECT h.fund_id, h.nav_date, h.version_id,
       h.opening_nav_micros, (h.opening_nav_micros / 1000000.0) AS opening_nav,
       h.closing_nav_micros, (h.closing_nav_micros / 1000000.0) AS closing_nav
FROM nav_history h
WHERE h.version_id = (SELECT MAX(n.version_id) FROM nav_history n
                      WHERE n.fund_id = h.fund_id AND n.nav_date = h.nav_date);

-- The latest non-rejected submission of each (fund, month): latest reference date, then
-- latest id (a later submission for the same date supersedes the earlier one).
CREATE VIEW v_monthly_margin AS
SELECT s.fund_id, substr(s.reference_date, 1, 7) AS month, s.id AS submission_id, s.reference_date, s.state,
       s.local_margin_micros + s.offshore_margin_micros AS consolidated_margin_micros,
       s.offshore_margin_micros
FROM margin_submissions s
WHERE s.state <> 'REJECTED'
  AND NOT EXISTS (SELECT 1 FROM margin_submissions l
                  WHERE l.fund_id = s.fund_id AND l.state <> 'REJECTED'
                    AND substr(l.reference_date, 1, 7) = substr(s.reference_date, 1, 7)
                    AND (l.reference_date > s.reference_date
                         OR (l.reference_date = s.reference_date AND l.id > s.id)));

-- NAV history with the month's latest margin (fund view's 12-month chart): one row per fund and
-- month with NAV history, the closing NAV of the month's last NAV date and the consolidated
-- margin of the month's latest non-rejected submission (NULL when none).
CREATE VIEW v_nav_history_margin AS
SELECT h.fund_id, f.name AS fund_name, substr(h.nav_date, 1, 7) AS month,
       h.nav_date AS month_end_nav_date,
       h.closing_nav_micros AS nav_micros, (h.closing_nav_micros / 1000000.0) AS nav,
       mm.submission_id, mm.reference_date AS margin_reference_date,
       mm.state AS submission_state,
       mm.consolidated_margin_micros, (mm.consolidated_margin_micros / 1000000.0) AS consolidated_margin,
       mm.offshore_margin_micros, (mm.offshore_margin_micros / 1000000.0) AS offshore_margin
FROM v_nav_history_current h
JOIN funds f ON f.id = h.fund_id
LEFT JOIN v_monthly_margin mm ON mm.fund_id = h.fund_id AND mm.month = substr(h.nav_date, 1, 7)
WHERE NOT EXISTS (SELECT 1 FROM v_nav_history_current l
                  WHERE l.fund_id = h.fund_id AND l.nav_date > h.nav_date
                    AND substr(l.nav_date, 1, 7) = substr(h.nav_date, 1, 7));

-- Exposure by origin ("PI x Risco"): over the current exposure snapshot, one row for OTC and
-- one for OFFSHORE (notional is NULL: offshore funds have none). fund_count counts the funds exposed that way (a fund exposed both ways is
-- in both rows); consolidated_fund_count counts each fund once, by its consolidated exposure.
CREATE VIEW v_exposure_by_origin AS
SELECT cv.reference_date AS exposure_date, 'OTC' AS origin,
       CAST(SUM(e.otc) AS BIGINT) AS fund_count,
       CAST(SUM(e.otc) AS BIGINT) AS consolidated_fund_count,
       CAST(SUM(e.otc_option_count + e.otc_swap_count) AS BIGINT) AS position_count,
       CAST(SUM(e.otc_notional_micros) AS BIGINT) AS notional_micros, (SUM(e.otc_notional_micros) / 1000000.0) AS notional,
       CAST(SUM(e.otc_market_value_micros) AS BIGINT) AS market_value_micros,
       (SUM(e.otc_market_value_micros) / 1000000.0) AS market_value
FROM fund_exposures e
JOIN v_current_versions cv ON cv.kind = 'EXPOSURE' AND cv.version_id = e.version_id
GROUP BY cv.reference_date
UNION ALL
SELECT cv.reference_date, 'OFFSHORE',
       CAST(SUM(e.offshore) AS BIGINT),
       CAST(SUM(CASE WHEN e.otc = 0 AND e.offshore = 1 THEN 1 ELSE 0 END) AS BIGINT),
       CAST(SUM(e.offshore_fund_count) AS BIGINT),
       NULL, NULL,
       CAST(SUM(e.offshore_market_value_micros) AS BIGINT), (SUM(e.offshore_market_value_micros) / 1000000.0)
FROM fund_exposures e
JOIN v_current_versions cv ON cv.kind = 'EXPOSURE' AND cv.version_id = e.version_id
GROUP BY cv.reference_date;

-- Risk capital utilisation (CVM 175, Anexo Normativo I, art. 73): one row per fund of the
-- current margin_status output.
CREATE VIEW v_risk_capital_utilisation AS
SELECT cv.reference_date AS status_date, fs.fund_id, f.name AS fund_name,
       fs.manager_id, m.name AS manager_name, fs.regulatory_class,
       fs.nav_date, fs.nav_micros, (fs.nav_micros / 1000000.0) AS nav,
       fs.exchange_margin_micros, (fs.exchange_margin_micros / 1000000.0) AS exchange_margin,
       fs.otc_margin_micros, (fs.otc_margin_micros / 1000000.0) AS otc_margin, fs.otc_margin_source,
       fs.offshore_component_micros, (fs.offshore_component_micros / 1000000.0) AS offshore_component,
       fs.gross_margin_micros, (fs.gross_margin_micros / 1000000.0) AS gross_margin,
       fs.utilisation, fs.cap, fs.cap_source,
       CASE WHEN fs.cap > 0 THEN fs.utilisation / fs.cap END AS utilisation_of_cap,
       fs.limit_status, fs.stale, fs.breach_start_date, fs.breach_business_days
FROM fund_status fs
JOIN v_current_versions cv ON cv.kind = 'MARGIN_STATUS' AND cv.version_id = fs.version_id
JOIN funds f ON f.id = fs.fund_id
JOIN managers m ON m.id = fs.manager_id;

-- Open findings: OPEN or ACKNOWLEDGED (not yet resolved), with the fund and manager names.
CREATE VIEW v_open_findings AS
SELECT fi.id AS finding_id, fi.rule, fi.severity, fi.state,
       fi.fund_id, f.name AS fund_name, f.manager_id, m.name AS manager_name,
       fi.reference_date, fi.message, fi.job_run_id,
       fi.raised_at_us, date(fi.raised_at_us / 1000000, 'unixepoch') AS raised_date,
       fi.acknowledged_by, fi.acknowledged_at_us
FROM findings fi
LEFT JOIN funds f ON f.id = fi.fund_id
LEFT JOIN managers m ON m.id = f.manager_id
WHERE fi.state IN ('OPEN', 'ACKNOWLEDGED');
