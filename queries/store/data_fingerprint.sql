-- store/data_fingerprint: a fingerprint of the events a checklist result was computed on.
-- grain: one row.  parameters: none.
-- columns: data_fingerprint, events, latest_event
-- md5 over the event count, the latest occurred_at and an order-independent XOR of the
-- event_id hashes: any added, removed or changed event gives another fingerprint.
SELECT
    md5(concat_ws('|',
        count(*)::VARCHAR,
        coalesce(strftime(max(occurred_at), '%Y-%m-%dT%H:%M:%S.%f'), '-'),
        coalesce(bit_xor(hash(event_id))::VARCHAR, '0')
    )) AS data_fingerprint,
    count(*) AS events,
    max(occurred_at) AS latest_event
FROM events;
