-- store/data_fingerprint: a fingerprint of the events a checklist result was computed on.
-- grain: one row.  parameters: none.
-- columns: data_fingerprint, events, latest_event
-- md5 over the event count, the latest occurred_at and an order-independent XOR of the
-- event_id hashes: any added, removed or changed event gives another fingerprint.
-- The XOR is the one the ingest keeps in notification_state_stamp (ids_xor, for ids_events
-- events: state/schema.sql) when it covers the table as it is; else it is computed here,
-- a hash of every event_id (a second at 10M notifications). The stamp's columns are read
-- through to_json: a database written before they existed has none, and still answers.
WITH stamp AS (
    SELECT CAST(j ->> 'ids_xor' AS UBIGINT) AS ids_xor,
           CAST(j ->> 'ids_events' AS BIGINT) AS ids_events
    FROM (SELECT to_json(s) AS j FROM notification_state_stamp AS s)
),
kept AS (
    SELECT ids_xor FROM stamp WHERE ids_events = (SELECT count(*) FROM events)
)
SELECT
    md5(concat_ws('|',
        count(*)::VARCHAR,
        coalesce(strftime(max(occurred_at), '%Y-%m-%dT%H:%M:%S.%f'), '-'),
        coalesce(CASE WHEN EXISTS (SELECT 1 FROM kept) THEN (SELECT ids_xor FROM kept)
                      -- the WHERE gate skips this scan when the stamp answers
                      ELSE (SELECT bit_xor(hash(event_id)) FROM events
                            WHERE NOT EXISTS (SELECT 1 FROM kept))
                 END::VARCHAR, '0')
    )) AS data_fingerprint,
    count(*) AS events,
    max(occurred_at) AS latest_event
FROM events;
