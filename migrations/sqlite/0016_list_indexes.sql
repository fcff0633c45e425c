-- riskcap schema v16 (sqlite): indexes for the API's List calls, so each page is a keyset range
-- scan of its filter's index (newest first or by key, docs/api.md "List order and indexes")
-- rather than a walk of the whole table. Each index ends with the list's key, so a filter and
-- the page order come from one index. Keep in step with migrations/postgresql/0016_list_indexes.sql.

-- ListAuditRecords: by actor, by method, newest first (the primary key serves no filter).
CREATE INDEX audit_log_by_principal ON audit_log (principal, id);
CREATE INDEX audit_log_by_method ON audit_log (method, id);

-- ListFindings: by rule and by state (findings_by_state, findings_by_fund exist), newest first.
CREATE INDEX findings_by_rule ON findings (rule, id);

-- ListSubmissions: by fund and by state, newest first.
CREATE INDEX margin_submissions_by_fund_id ON margin_submissions (fund_id, id);
CREATE INDEX margin_submissions_by_state ON margin_submissions (state, id);

-- ListExemptions: by fund, newest first.
CREATE INDEX exemptions_by_fund_id ON exemptions (fund_id, id);

-- ListFunds by manager, ListReminders by manager, ListApiKeys by manager: by id.
CREATE INDEX funds_by_manager_id ON funds (manager_id, id);
CREATE INDEX reminders_by_manager ON reminders (manager_id, id);
CREATE INDEX api_keys_by_manager ON api_keys (manager_id, id);

-- ListJobRuns: by job and by state, newest first.
CREATE INDEX job_runs_by_job_id ON job_runs (job, id);
CREATE INDEX job_runs_by_state_id ON job_runs (state, id);

-- GetRiskCapitalSummary's counts and highest utilisation: one version's rows read from the index
-- alone (its GROUP BY columns), not from the wide table.
CREATE INDEX fund_status_summary ON fund_status (version_id, manager_id, consolidated_exposure,
  regulatory_class, deadline_status, validation_status, limit_status, stale, utilisation, fund_id);
