-- riskcap schema v12 (sqlite): a finding belongs to its reference date. A run for date D raises
-- and resolves only D's findings, so "the same problem" is unique per (dedup_key, reference_date)
-- while unresolved: re-running an older date can no longer resolve or re-open a newer date's
-- findings. Existing rows already satisfy the wider key (dedup_key alone was unique).
-- Keep in step with migrations/postgresql/0012_findings_per_date.sql.
DROP INDEX findings_one_unresolved;
CREATE UNIQUE INDEX findings_one_unresolved ON findings (dedup_key, reference_date)
  WHERE state <> 'RESOLVED';
-- What a run for D reads back: D's unresolved findings of its rules.
CREATE INDEX findings_by_date ON findings (reference_date, rule, state);
