-- riskcap schema v7: find a job run by the request id that started it (an upload replayed under
-- its request_id looks up its original run) with one indexed read, not a scan of the job's history.
CREATE INDEX job_runs_by_request ON job_runs (job, request_id);
