-- riskcap schema v10 (postgresql): upload runs recorded before job_runs.request_id existed (0003)
-- carry their request id only inside params_json. Replays find an upload's run through the
-- column (index job_runs_by_request, 0007), so a client retrying such an upload after the
-- upgrade would get a new run instead of its original answer: copy the id into the column.
-- riskcap writes params_json as a JSON object; the pattern test keeps anything else out of the
-- cast. Keep in step with migrations/sqlite/0010_upload_request_ids.sql.
UPDATE job_runs
   SET request_id = params_json::jsonb ->> 'request_id'
 WHERE request_id = ''
   AND job IN ('positions', 'nav_snapshot', 'nav_history')
   AND params_json LIKE '{%"request_id"%}'
   AND jsonb_typeof(CASE WHEN params_json LIKE '{%"request_id"%}' THEN params_json::jsonb END
                    -> 'request_id') = 'string';
