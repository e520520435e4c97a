-- The ticket line's places, third form: two lanes in the one fair queue.
--
-- A new ticket's place is the number of waiting tickets keyed at or before it. A walk-in's key is
-- the moment it came, so it joins the end of the queue and its place is the queue's length; a
-- priority visitor's key is earlier (POL rules in docs/modules/halls.md, "The queue"), and counting
-- the tickets before it read every priority ticket already waiting: the work per ticket grew with the
-- queue. Now the waiting tickets are kept in two lanes — walk-ins, and priority visitors and
-- appointment holders — each with its own index and its own count in hall_queue_counts. Within a
-- lane the keys come nearly in order (walk-ins by arrival, priority visitors by arrival minus the
-- same advance), so a new ticket is almost always after every key of its own lane and before every
-- key of the other, and both lanes are counted from hall_queue_counts without reading the queue.
-- Calling still takes the first ticket of both lanes by (queue_key, seq): the order is unchanged.
--
-- Also: ticket numbers stay unique per hall and day, with the day first in the key, so a look-up by
-- hall alone can no longer choose that index and read every ticket the hall ever issued (the
-- function plans once per connection, when the table may still be empty, and index choices are then
-- close calls). The places' counts are written so that only their lane's index serves them.

ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_hall_id_day_seq_key;
ALTER TABLE hall_tickets ADD CONSTRAINT hall_tickets_day_hall_id_seq_key UNIQUE (day, hall_id, seq);

DROP INDEX hall_tickets_queue;
CREATE INDEX hall_tickets_queue_walk_in ON hall_tickets (hall_id, queue_key, seq)
  WHERE status = 'waiting' AND priority IS NULL AND appointment_id IS NULL;
CREATE INDEX hall_tickets_queue_advanced ON hall_tickets (hall_id, queue_key, seq)
  WHERE status = 'waiting' AND (priority IS NOT NULL OR appointment_id IS NOT NULL);

-- Waiting tickets per hall, civil day, item and lane (advanced: a priority visitor or an appointment).
ALTER TABLE hall_queue_counts DROP CONSTRAINT hall_queue_counts_pkey;
ALTER TABLE hall_queue_counts ADD COLUMN advanced boolean NOT NULL DEFAULT false;
DELETE FROM hall_queue_counts;
INSERT INTO hall_queue_counts (hall_id, day, service_id, advanced, waiting)
SELECT t.hall_id, t.day, t.service_id, (t.priority IS NOT NULL OR t.appointment_id IS NOT NULL), count(*)
  FROM hall_tickets t WHERE t.status = 'waiting' GROUP BY 1, 2, 3, 4;
ALTER TABLE hall_queue_counts ADD PRIMARY KEY (hall_id, day, service_id, advanced);

CREATE OR REPLACE FUNCTION hall_queue_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hall_queue_counts (hall_id, day, service_id, advanced, waiting)
  SELECT n.hall_id, n.day, n.service_id, (n.priority IS NOT NULL OR n.appointment_id IS NOT NULL), count(*)
    FROM new_rows n WHERE n.status = 'waiting' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (hall_id, day, service_id, advanced) DO UPDATE SET waiting = hall_queue_counts.waiting + EXCLUDED.waiting;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION hall_queue_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Existing rows take the change in place (a proposed row of -1 would fail the CHECK before any
  -- ON CONFLICT); a first ticket of an item and lane on a day inserts its row.
  WITH delta AS (
    SELECT x.hall_id, x.day, x.service_id, x.advanced, sum(x.change)::int AS change FROM (
      SELECT n.hall_id, n.day, n.service_id, (n.priority IS NOT NULL OR n.appointment_id IS NOT NULL) AS advanced, 1 AS change
        FROM new_rows n WHERE n.status = 'waiting'
      UNION ALL
      SELECT o.hall_id, o.day, o.service_id, (o.priority IS NOT NULL OR o.appointment_id IS NOT NULL), -1
        FROM old_rows o WHERE o.status = 'waiting'
    ) x GROUP BY 1, 2, 3, 4 HAVING sum(x.change) <> 0
  ),
  changed AS (
    UPDATE hall_queue_counts q SET waiting = q.waiting + d.change
      FROM delta d WHERE q.hall_id = d.hall_id AND q.day = d.day AND q.service_id = d.service_id AND q.advanced = d.advanced
    RETURNING q.hall_id, q.day, q.service_id, q.advanced
  )
  INSERT INTO hall_queue_counts (hall_id, day, service_id, advanced, waiting)
  SELECT d.hall_id, d.day, d.service_id, d.advanced, d.change FROM delta d
   WHERE d.change > 0 AND NOT EXISTS (SELECT 1 FROM changed c WHERE c.hall_id = d.hall_id AND c.day = d.day AND c.service_id = d.service_id AND c.advanced = d.advanced)
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (hall_id, day, service_id, advanced) DO UPDATE SET waiting = hall_queue_counts.waiting + EXCLUDED.waiting;
  RETURN NULL;
END;
$$;

-- hall_take_tickets: as in 0002, with step 4b and 4c counting places per lane.
CREATE OR REPLACE FUNCTION hall_take_tickets(
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
  v_walk_waiting int[];
  v_walk_first timestamptz[];
  v_walk_last timestamptz[];
  v_adv_waiting int[];
  v_adv_first timestamptz[];
  v_adv_last timestamptz[];
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
    -- 4b. Before the batch's tickets exist, per hall and competing items, and per lane (walk-ins;
    -- priority visitors and appointments): the waiting tickets (hall_queue_counts) and the lane's
    -- earliest and latest keys (the first and last entries of its index).
    SELECT array_agg(g.hall || '|' || coalesce(g.competing, '*')),
           array_agg((SELECT coalesce(sum(q.waiting), 0)::int FROM hall_queue_counts q
                       WHERE q.hall_id = g.hall AND q.day = p_day AND NOT q.advanced
                         AND (g.competing IS NULL OR q.service_id = ANY (string_to_array(g.competing, '|'))))),
           array_agg((SELECT w.queue_key FROM hall_tickets w
                       WHERE w.hall_id = g.hall AND w.status = 'waiting' AND w.priority IS NULL AND w.appointment_id IS NULL
                       ORDER BY w.queue_key, w.seq LIMIT 1)),
           array_agg((SELECT w.queue_key FROM hall_tickets w
                       WHERE w.hall_id = g.hall AND w.status = 'waiting' AND w.priority IS NULL AND w.appointment_id IS NULL
                       ORDER BY w.queue_key DESC, w.seq DESC LIMIT 1)),
           array_agg((SELECT coalesce(sum(q.waiting), 0)::int FROM hall_queue_counts q
                       WHERE q.hall_id = g.hall AND q.day = p_day AND q.advanced
                         AND (g.competing IS NULL OR q.service_id = ANY (string_to_array(g.competing, '|'))))),
           array_agg((SELECT w.queue_key FROM hall_tickets w
                       WHERE w.hall_id = g.hall AND w.status = 'waiting' AND (w.priority IS NOT NULL OR w.appointment_id IS NOT NULL)
                       ORDER BY w.queue_key, w.seq LIMIT 1)),
           array_agg((SELECT w.queue_key FROM hall_tickets w
                       WHERE w.hall_id = g.hall AND w.status = 'waiting' AND (w.priority IS NOT NULL OR w.appointment_id IS NOT NULL)
                       ORDER BY w.queue_key DESC, w.seq DESC LIMIT 1))
      INTO v_group, v_walk_waiting, v_walk_first, v_walk_last, v_adv_waiting, v_adv_first, v_adv_last
      FROM (SELECT DISTINCT u.hall, u.competing FROM unnest(p_hall, p_competing, v_verdict) AS u(hall, competing, verdict) WHERE u.verdict IS NULL) g;

    -- 4c. Each issued ticket's number and place: in each lane, the waiting tickets of today keyed
    -- at or before it among the items that compete for the same windows, plus this batch's tickets
    -- before it. A lane whose last key is at or before the ticket's counts whole, one whose first key
    -- is after it counts nothing; otherwise the side of the lane nearer to the key is counted (those
    -- after it, taken from the lane's total, or those up to it). Walk-ins join their lane at its end
    -- and a priority visitor's key is earlier than every walk-in's who came after the advance, so
    -- both are counted without reading the queue.
    SELECT array_agg(r.seq ORDER BY r.i), array_agg(r.number ORDER BY r.i), array_agg(r.ahead ORDER BY r.i)
      INTO v_seq, v_number, v_ahead
      FROM (
        SELECT s.i, s.seq,
               CASE WHEN s.seq IS NOT NULL THEN s.prefix || lpad(s.seq::text, greatest(3, length(s.seq::text)), '0') END AS number,
               CASE WHEN s.seq IS NULL THEN NULL ELSE
                 CASE WHEN v_walk_waiting[s.g] = 0 OR v_walk_first[s.g] IS NULL OR v_walk_first[s.g] > s.queue_key THEN 0
                      WHEN v_walk_last[s.g] <= s.queue_key THEN v_walk_waiting[s.g]
                      WHEN v_walk_last[s.g] - s.queue_key <= s.queue_key - v_walk_first[s.g] THEN
                        v_walk_waiting[s.g] - (
                          SELECT count(*)::int FROM (SELECT 1 FROM hall_tickets w
                           WHERE w.hall_id = s.hall AND w.status = 'waiting' AND w.priority IS NULL AND w.appointment_id IS NULL
                             AND w.queue_key > s.queue_key AND w.day + 0 = p_day
                             AND (s.competing IS NULL OR w.service_id = ANY (string_to_array(s.competing, '|')))
                           ORDER BY w.queue_key, w.seq) c)
                      ELSE (
                          SELECT count(*)::int FROM (SELECT 1 FROM hall_tickets w
                           WHERE w.hall_id = s.hall AND w.status = 'waiting' AND w.priority IS NULL AND w.appointment_id IS NULL
                             AND w.queue_key <= s.queue_key AND w.day + 0 = p_day
                             AND (s.competing IS NULL OR w.service_id = ANY (string_to_array(s.competing, '|')))
                           ORDER BY w.queue_key, w.seq) c)
                 END +
                 CASE WHEN v_adv_waiting[s.g] = 0 OR v_adv_first[s.g] IS NULL OR v_adv_first[s.g] > s.queue_key THEN 0
                      WHEN v_adv_last[s.g] <= s.queue_key THEN v_adv_waiting[s.g]
                      WHEN v_adv_last[s.g] - s.queue_key <= s.queue_key - v_adv_first[s.g] THEN
                        v_adv_waiting[s.g] - (
                          SELECT count(*)::int FROM (SELECT 1 FROM hall_tickets w
                           WHERE w.hall_id = s.hall AND w.status = 'waiting' AND (w.priority IS NOT NULL OR w.appointment_id IS NOT NULL)
                             AND w.queue_key > s.queue_key AND w.day + 0 = p_day
                             AND (s.competing IS NULL OR w.service_id = ANY (string_to_array(s.competing, '|')))
                           ORDER BY w.queue_key, w.seq) c)
                      ELSE (
                          SELECT count(*)::int FROM (SELECT 1 FROM hall_tickets w
                           WHERE w.hall_id = s.hall AND w.status = 'waiting' AND (w.priority IS NOT NULL OR w.appointment_id IS NOT NULL)
                             AND w.queue_key <= s.queue_key AND w.day + 0 = p_day
                             AND (s.competing IS NULL OR w.service_id = ANY (string_to_array(s.competing, '|')))
                           ORDER BY w.queue_key, w.seq) c)
                 END + s.before_in_batch
               END AS ahead
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
