-- riskcap schema v10 (sqlite): upload runs recorded before job_runs.request_id existed (0003)
-- carry their request id only inside params_json. Replays find an upload's run through the
-- column (index job_runs_by_request, 0007), so a client retrying such an upload after the
-- upgrade would get a new run instead of its original answer: copy the id into the column.
-- Keep in step with migrations/postgresql/0010_upload_request_ids.sql.
UPDATE job_runs
   SET request_id = json_extract(params_json, '$.request_id')
 WHERE request_id = ''
   AND job IN ('positions', 'nav_snapshot', 'nav_history')
   AND json_valid(params_json)
   AND json_type(params_json, '$.request_id') = 'text';
