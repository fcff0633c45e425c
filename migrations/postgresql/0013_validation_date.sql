-- riskcap schema v13 (postgresql): v_submission_tracking.validation_date (the old dashboard's
-- "Data Validação") follows the submission-status rule. A fund with no submission whose
-- effective last submission comes from an exemption (last_submission_source = 'EXEMPTION') has
-- that day, the exemption's last covered day, as its validation date; 0005 left it NULL. The
-- effective submission's validation counts only if decided on or before the status date, as
-- validation_status does; 0005 also showed a later decision. Same columns, same order and types,
-- so the view is replaced in place. Keep in step with migrations/sqlite/0013_validation_date.sql.
CREATE OR REPLACE VIEW v_submission_tracking AS
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
       CASE WHEN fs.last_submission_source = 'EXEMPTION' THEN fs.last_submission_date
            WHEN ms.state = 'VALIDATED'
                 AND CAST(to_timestamp(ms.decided_at_us / 1000000.0) AT TIME ZONE 'UTC' AS DATE)
                     <= cv.reference_date
            THEN CAST(to_timestamp(ms.decided_at_us / 1000000.0) AT TIME ZONE 'UTC' AS DATE)
       END AS validation_date,
       fs.consolidated_margin_micros,
       CAST(fs.consolidated_margin_micros / 1000000.0 AS NUMERIC(20, 6)) AS consolidated_margin
FROM fund_status fs
JOIN v_current_versions cv ON cv.kind = 'MARGIN_STATUS' AND cv.version_id = fs.version_id
JOIN funds f ON f.id = fs.fund_id
JOIN managers m ON m.id = fs.manager_id
LEFT JOIN margin_submissions ms ON ms.id = fs.submission_id;
