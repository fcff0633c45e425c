-- riskcap schema v3 (postgresql): what the job runner needs on job_runs. Keep in step with the other
-- dialect's 0003_jobs.sql (a test checks both have the same columns).

-- The pipeline run a run belongs to (NULL when started on its own).
ALTER TABLE job_runs ADD COLUMN parent_run_id BIGINT REFERENCES job_runs(id);
-- The caller's idempotency key ('' for runs a pipeline started).
ALTER TABLE job_runs ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
-- The snapshot version the run wrote or found identical (NULL when none).
ALTER TABLE job_runs ADD COLUMN output_version_id BIGINT REFERENCES snapshot_versions(id);
-- Progress as last reported: rows expected (0 = unknown) and what it is doing.
ALTER TABLE job_runs ADD COLUMN rows_expected BIGINT NOT NULL DEFAULT 0;
ALTER TABLE job_runs ADD COLUMN progress_message TEXT NOT NULL DEFAULT '';
-- Set by CancelJobRun; the executing server stops at its next checkpoint.
ALTER TABLE job_runs ADD COLUMN cancel_requested SMALLINT NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
-- Which server executes the run, and when it last said it is alive: a RUNNING run whose
-- heartbeat is too old belongs to a server that died and may be failed by another.
ALTER TABLE job_runs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE job_runs ADD COLUMN heartbeat_at_us BIGINT;

CREATE INDEX job_runs_by_parent ON job_runs (parent_run_id);
-- At most one QUEUED or RUNNING run per (job, reference date), across every server sharing the
-- database: the admission check of the runner relies on it.
CREATE UNIQUE INDEX job_runs_one_active ON job_runs (job, reference_date)
  WHERE state IN ('QUEUED', 'RUNNING');
