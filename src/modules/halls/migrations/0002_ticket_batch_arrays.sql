-- hall_take_tickets, second form: parallel arrays in (one per field, parsed once), a compact JSON
-- answer out, and plans that stay index look-ups however large hall_tickets grows.
--
-- The first form took one JSON array per request and read each field with ->> (which parses the
-- request's JSON again for every field), and found the requesters' tickets of earlier days with a
-- statement whose cached generic plan, made while the table was empty, scanned every active ticket
-- and then the whole table: its cost grew with the table (about 5 ms per batch at 45,000 tickets).
-- Now one index probe per request (hall_tickets_one_active) finds the person's active ticket at the
-- hall and its day: a ticket of today refuses the request (TICKET_ALREADY_ACTIVE), one of an earlier
-- day no longer holds its place and is expired (listed in the batch's audit entry).
--
-- Order of work in one batch (one transaction, one round trip; nobody is answered before it commits):
--   1. lock the batch's halls in id order (the hall row is the queue's lock: no deadlocks, and the
--      look-up of active tickets below cannot race another process's batch at the same hall);
--   2. judge every request: unknown hall, an active ticket today (already_active), an appointment
--      that is not the person's booked one for this item and hall (appointment_invalid), else issued;
--   3. expire the requesters' active tickets of earlier days (rare: the end-of-day job does it);
--   4. number the issued tickets per hall under the hall lock (no gaps), insert them, check in their
--      appointments, compute each one's place (waiting before the batch from hall_queue_counts, minus
--      those queued after it, plus this batch's before it), and build the answer and the audit summary;
--   5. append the batch's audit entry: every ticket issued (id, number, hall, item, person, channel,
--      issuer, priority, appointment), the request ids and any ticket expired.
-- The partial unique index hall_tickets_one_active stays the last line of defence (POL-19: one
-- active ticket per person and hall); a batch it refuses is split and retried by the caller.
--
-- Answer: a JSON array in the requests' order; an issued ticket is [seq, ahead], anything else is
-- [outcome, existing ticket id or null].
DROP FUNCTION hall_take_tickets(json, date, timestamptz);

CREATE FUNCTION hall_take_tickets(
  p_ticket text[], p_hall text[], p_service text[], p_person text[], p_via text[], p_appointment text[], p_priority text[],
  p_queued_at timestamptz[], p_queue_key timestamptz[], p_prefix text[], p_competing text[], p_issued_by text[], p_request text[],
  p_day date, p_now timestamptz
) RETURNS json
LANGUAGE plpgsql
-- Small batches against large tables whose statistics lag behind: nested loops over the input and
-- index look-ups only, planned once (generic) rather than for every batch.
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_known text[];
  v_verdict text[];
  v_existing text[];
  v_stale text[];
  v_stale_halls text[];
  v_count_hall text[];
  v_count_base int[];
  v_group text[];
  v_group_waiting int[];
  v_group_first timestamptz[];
  v_group_last timestamptz[];
  v_seq int[];
  v_number text[];
  v_ahead int[];
  v_answer json;
  v_summary jsonb;
  v_entity text;
BEGIN
  IF coalesce(array_length(p_ticket, 1), 0) = 0 THEN RETURN '[]'::json; END IF;

  -- 1. The hall rows are the queues' locks: take them in id order.
  SELECT array_agg(l.id) INTO v_known FROM (SELECT h.id FROM halls h WHERE h.id = ANY (p_hall) ORDER BY h.id FOR UPDATE) l;

  -- 2. One index probe per request for the person's active ticket at the hall (at most one exists).
  SELECT array_agg(j.verdict ORDER BY j.i), array_agg(j.existing ORDER BY j.i),
         array_agg(j.stale) FILTER (WHERE j.stale IS NOT NULL), array_agg(j.hall) FILTER (WHERE j.stale IS NOT NULL)
    INTO v_verdict, v_existing, v_stale, v_stale_halls
    FROM (
      SELECT u.i, u.hall,
             CASE WHEN NOT (u.hall = ANY (v_known)) THEN 'unknown_hall'
                  WHEN a.day >= p_day THEN 'already_active'
                  WHEN u.appointment IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM hall_appointments p WHERE p.id = u.appointment AND p.person_id = u.person AND p.hall_id = u.hall
                       AND p.service_id = u.service AND p.status = 'booked') THEN 'appointment_invalid'
             END AS verdict,
             CASE WHEN a.day >= p_day THEN a.id END AS existing,
             CASE WHEN a.day < p_day AND u.hall = ANY (v_known) THEN a.id END AS stale
        FROM unnest(p_hall, p_person, p_service, p_appointment) WITH ORDINALITY AS u(hall, person, service, appointment, i)
        LEFT JOIN LATERAL (SELECT x.id, x.day FROM hall_tickets x
                            WHERE x.person_id = u.person AND x.hall_id = u.hall AND x.status IN ('waiting', 'called') LIMIT 1) a ON true
    ) j;

  -- 3. A ticket left over from an earlier day no longer holds its place.
  IF v_stale IS NOT NULL THEN
    UPDATE hall_tickets t SET status = 'expired' WHERE t.id = ANY (v_stale) AND t.status IN ('waiting', 'called');
  END IF;

  -- 4a. Numbers: each hall's counter moves on by its tickets in this batch, under the hall lock.
  WITH counted AS (
    UPDATE halls h
       -- A new day starts at 1 (or after the day's last number, should the clock have been set back).
       SET ticket_seq = CASE WHEN h.ticket_day = p_day THEN h.ticket_seq
                             ELSE coalesce((SELECT max(x.seq) FROM hall_tickets x WHERE x.hall_id = h.id AND x.day = p_day), 0) END + c.issued,
           ticket_day = p_day,
           status_version = h.status_version + 1,
           status_changed_at = p_now
      FROM (SELECT u.hall, count(*)::int AS issued FROM unnest(p_hall, v_verdict) AS u(hall, verdict) WHERE u.verdict IS NULL GROUP BY u.hall) c
     WHERE h.id = c.hall
    RETURNING h.id, h.ticket_seq - c.issued AS base
  )
  SELECT array_agg(c.id), array_agg(c.base) INTO v_count_hall, v_count_base FROM counted c;
  IF v_count_hall IS NOT NULL THEN
    -- 4b. Before the batch's tickets exist: waiting per hall and competing items (hall_queue_counts),
    -- and the hall's earliest and latest keys waiting (each the first entry of hall_tickets_queue).
    SELECT array_agg(g.hall || '|' || coalesce(g.competing, '*')),
           array_agg((SELECT coalesce(sum(q.waiting), 0)::int FROM hall_queue_counts q
                       WHERE q.hall_id = g.hall AND q.day = p_day
                         AND (g.competing IS NULL OR q.service_id = ANY (string_to_array(g.competing, '|'))))),
           array_agg((SELECT w.queue_key FROM hall_tickets w WHERE w.hall_id = g.hall AND w.status = 'waiting'
                       ORDER BY w.queue_key, w.seq LIMIT 1)),
           array_agg((SELECT w.queue_key FROM hall_tickets w WHERE w.hall_id = g.hall AND w.status = 'waiting'
                       ORDER BY w.queue_key DESC, w.seq DESC LIMIT 1))
      INTO v_group, v_group_waiting, v_group_first, v_group_last
      FROM (SELECT DISTINCT u.hall, u.competing FROM unnest(p_hall, p_competing, v_verdict) AS u(hall, competing, verdict) WHERE u.verdict IS NULL) g;

    -- 4c. Each issued ticket's number and place among today's waiting tickets of the items that
    -- compete for the same windows, plus this batch's tickets before it. A ticket keyed after every
    -- waiting one (a walk-in) is behind all of them; otherwise (a priority visitor, an appointment,
    -- a request that waited for its resident's record) the tickets on the nearer side of its key are
    -- counted: those after it (taken from the total) or those up to it, so the count stays short
    -- however long the queue is.
    SELECT array_agg(r.seq ORDER BY r.i), array_agg(r.number ORDER BY r.i), array_agg(r.ahead ORDER BY r.i)
      INTO v_seq, v_number, v_ahead
      FROM (
        SELECT s.i, s.seq,
               CASE WHEN s.seq IS NOT NULL THEN s.prefix || lpad(s.seq::text, greatest(3, length(s.seq::text)), '0') END AS number,
               CASE WHEN s.seq IS NULL THEN NULL
                    WHEN v_group_last[s.g] IS NULL OR v_group_last[s.g] <= s.queue_key THEN v_group_waiting[s.g]
                    WHEN v_group_last[s.g] - s.queue_key <= s.queue_key - v_group_first[s.g] THEN
                      v_group_waiting[s.g] - (
                        SELECT count(*)::int FROM hall_tickets w
                         WHERE w.hall_id = s.hall AND w.status = 'waiting' AND w.queue_key > s.queue_key AND w.day = p_day
                           AND (s.competing IS NULL OR w.service_id = ANY (string_to_array(s.competing, '|'))))
                    ELSE (
                        SELECT count(*)::int FROM hall_tickets w
                         WHERE w.hall_id = s.hall AND w.status = 'waiting' AND w.queue_key <= s.queue_key AND w.day = p_day
                           AND (s.competing IS NULL OR w.service_id = ANY (string_to_array(s.competing, '|'))))
               END + s.before_in_batch AS ahead
          FROM (
            SELECT u.i, u.hall, u.competing, u.queue_key, u.prefix,
                   CASE WHEN u.verdict IS NULL THEN
                     v_count_base[array_position(v_count_hall, u.hall)] + row_number() OVER (PARTITION BY u.hall, u.verdict IS NULL ORDER BY u.i)::int
                   END AS seq,
                   CASE WHEN u.verdict IS NULL THEN array_position(v_group, u.hall || '|' || coalesce(u.competing, '*')) END AS g,
                   (row_number() OVER (PARTITION BY u.hall, u.competing, u.verdict IS NULL ORDER BY u.queue_key, u.i) - 1)::int AS before_in_batch
              FROM unnest(p_hall, p_competing, p_queue_key, p_prefix, v_verdict) WITH ORDINALITY AS u(hall, competing, queue_key, prefix, verdict, i)
          ) s
      ) r;

    -- 4d. The tickets and their appointments.
    INSERT INTO hall_tickets (id, hall_id, service_id, person_id, day, seq, number, via, appointment_id, priority,
                              queued_at, queue_key, status, issued_at, issued_by)
    SELECT u.ticket, u.hall, u.service, u.person, p_day, u.seq, u.number, u.via, u.appointment, u.priority,
           u.queued_at, u.queue_key, 'waiting', p_now, u.issued_by
      FROM unnest(p_ticket, p_hall, p_service, p_person, p_via, p_appointment, p_priority, p_queued_at, p_queue_key, p_issued_by, v_seq, v_number)
           AS u(ticket, hall, service, person, via, appointment, priority, queued_at, queue_key, issued_by, seq, number)
     WHERE u.seq IS NOT NULL;
    UPDATE hall_appointments p SET status = 'checked_in', ticket_id = u.ticket, updated_at = p_now
      FROM unnest(p_ticket, p_appointment, v_seq) AS u(ticket, appointment, seq)
     WHERE u.appointment IS NOT NULL AND u.seq IS NOT NULL AND p.id = u.appointment;
  END IF;

  -- 5. The answer, and the batch's audit entry in the same transaction.
  SELECT json_agg(CASE WHEN u.seq IS NOT NULL THEN json_build_array(u.seq, u.ahead) ELSE json_build_array(u.verdict, u.existing) END ORDER BY u.i),
         jsonb_build_object(
           'count', count(u.seq),
           'tickets', coalesce(jsonb_agg(jsonb_build_array(u.ticket, u.number, u.hall, u.service, u.person, u.via, u.issued_by, u.priority, u.appointment)
                                          ORDER BY u.i) FILTER (WHERE u.seq IS NOT NULL), '[]'::jsonb),
           'requestIds', coalesce(jsonb_agg(u.request ORDER BY u.i) FILTER (WHERE u.seq IS NOT NULL), '[]'::jsonb)),
         string_agg(DISTINCT u.hall, ',' ORDER BY u.hall) FILTER (WHERE u.seq IS NOT NULL OR u.hall = ANY (v_stale_halls))
    INTO v_answer, v_summary, v_entity
    FROM unnest(p_ticket, p_hall, p_service, p_person, p_via, p_issued_by, p_priority, p_appointment, p_request, v_verdict, v_existing, v_seq, v_number, v_ahead)
         WITH ORDINALITY AS u(ticket, hall, service, person, via, issued_by, priority, appointment, request, verdict, existing, seq, number, ahead, i);
  IF (v_summary ->> 'count')::int > 0 OR v_stale IS NOT NULL THEN
    IF v_stale IS NOT NULL THEN v_summary := v_summary || jsonb_build_object('expired', to_jsonb(v_stale)); END IF;
    PERFORM audit_append(ARRAY[p_now], ARRAY['system'], ARRAY['halls.ticket-line'], ARRAY['halls.tickets.issue'], ARRAY['hall'],
                         ARRAY[v_entity], ARRAY[v_summary], ARRAY[NULL::text]);
  END IF;
  RETURN v_answer;
END;
$$;
