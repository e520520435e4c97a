-- The ticket line's batch, fourth form: no per-row triggers on a new ticket, places read from the
-- counts, a compact audit entry. Measured on the embedded database with hall_take_tickets of 86
-- tickets over 28 halls, batches alternating between two copies of one database in one process
-- (docs/modules/halls.md, "Current figures").
--
-- 1. No per-row triggers on a new ticket. A new row fired after-row triggers for the foreign keys of
--    its item, appointment and two windows (a look-up each, row by row) and hall_queue_counts' insert
--    trigger copied every row into a transition table: a sixth of a batch (61–67 µs per ticket
--    without them, 77–82 with). hall_take_tickets is the only writer of new tickets and now does that
--    work once per batch: one probe per distinct item (a batch naming an unknown item is refused
--    whole with the foreign key's error, as before, and the ticket line splits it); step 2 already
--    checks the appointment; one upsert keeps hall_queue_counts (step 4d). Where staff change a
--    ticket's item, appointment or windows, one at a time, a BEFORE UPDATE trigger checks what the
--    foreign keys checked. Items, appointments and windows are never deleted (they are deactivated,
--    cancelled or closed): statement triggers make that a rule of the database, so no ticket can be
--    left naming one that is gone.
-- 2. Places from the counts (8 % of a batch). Step 4b read, for every hall (and set of competing
--    items) of a batch, two sums from hall_queue_counts and the first and last key of each lane from
--    the lanes' indexes: six reads per hall, and a batch holds a ticket for most halls.
--    hall_queue_counts now also keeps, per hall, day, item and lane, a lower bound of its waiting
--    tickets' keys (first_key) and an upper bound (last_key): a new waiting ticket widens them, one
--    that leaves the queue does not narrow them. Step 4b reads both lanes' counts and bounds in one
--    read per hall; step 4c uses the bounds only to decide whether a lane counts whole, not at all,
--    or must be counted from the nearer side, so a bound left wide (or missing) costs an index count,
--    never a wrong place.
-- 3. A compact audit entry (6 % of a batch). The batch's entry listed each ticket as a nine-element
--    JSON array, built element by element; each ticket is now one string of the same nine fields
--    joined by '|' (none can contain '|': ids, codes, numbers), named once in "fields"; an absent
--    priority or appointment is empty.
-- 4. A narrow row per hall for its counters (8 % of a batch). Every batch locked and updated each of
--    its halls' rows (the ticket number counter and the status version), and a hall's row is wide
--    (names, address, hours): every update copied and logged all of it. The counters, and with them
--    the role of the queue's lock, move to hall_counters, one narrow row per hall.

-- 1. The foreign keys and the insert trigger give way.
ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_service_id_fkey;
ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_appointment_id_fkey;
ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_window_id_fkey;
ALTER TABLE hall_tickets DROP CONSTRAINT hall_tickets_target_window_id_fkey;
DROP TRIGGER hall_queue_counts_insert ON hall_tickets;
DROP FUNCTION hall_queue_counts_after_insert();

CREATE FUNCTION hall_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted (deactivate or cancel them)', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER hall_services_no_delete BEFORE DELETE OR TRUNCATE ON hall_services
  FOR EACH STATEMENT EXECUTE FUNCTION hall_refuse_delete();
CREATE TRIGGER hall_appointments_no_delete BEFORE DELETE OR TRUNCATE ON hall_appointments
  FOR EACH STATEMENT EXECUTE FUNCTION hall_refuse_delete();
CREATE TRIGGER hall_windows_no_delete BEFORE DELETE OR TRUNCATE ON hall_windows
  FOR EACH STATEMENT EXECUTE FUNCTION hall_refuse_delete();

-- Where staff change a ticket's references, one row at a time, they are checked (only those that changed).
CREATE FUNCTION hall_tickets_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.service_id IS DISTINCT FROM OLD.service_id AND NOT EXISTS (SELECT 1 FROM hall_services s WHERE s.id = NEW.service_id) THEN
    RAISE EXCEPTION 'hall_tickets: item % is not in the catalogue', NEW.service_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.appointment_id IS DISTINCT FROM OLD.appointment_id AND NEW.appointment_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM hall_appointments a WHERE a.id = NEW.appointment_id) THEN
    RAISE EXCEPTION 'hall_tickets: no appointment %', NEW.appointment_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.window_id IS DISTINCT FROM OLD.window_id AND NEW.window_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM hall_windows w WHERE w.id = NEW.window_id) THEN
    RAISE EXCEPTION 'hall_tickets: no window %', NEW.window_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF NEW.target_window_id IS DISTINCT FROM OLD.target_window_id AND NEW.target_window_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM hall_windows w WHERE w.id = NEW.target_window_id) THEN
    RAISE EXCEPTION 'hall_tickets: no window %', NEW.target_window_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER hall_tickets_references BEFORE UPDATE OF service_id, appointment_id, window_id, target_window_id ON hall_tickets
  FOR EACH ROW EXECUTE FUNCTION hall_tickets_check_references();

-- 2. Key bounds kept with the counts.
ALTER TABLE hall_queue_counts ADD COLUMN first_key timestamptz, ADD COLUMN last_key timestamptz;
UPDATE hall_queue_counts q SET first_key = b.first_key, last_key = b.last_key
  FROM (SELECT t.hall_id, t.day, t.service_id, (t.priority IS NOT NULL OR t.appointment_id IS NOT NULL) AS advanced,
               min(t.queue_key) AS first_key, max(t.queue_key) AS last_key
          FROM hall_tickets t WHERE t.status = 'waiting' GROUP BY 1, 2, 3, 4) b
 WHERE q.hall_id = b.hall_id AND q.day = b.day AND q.service_id = b.service_id AND q.advanced = b.advanced;

-- A ticket that becomes waiting in a group by an update (a transfer to another item, a change of
-- lane) widens that group's bounds; the counts are kept as in 0003.
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
  UPDATE hall_queue_counts q SET first_key = least(q.first_key, n.first_key), last_key = greatest(q.last_key, n.last_key)
    FROM (SELECT n.hall_id, n.day, n.service_id, (n.priority IS NOT NULL OR n.appointment_id IS NOT NULL) AS advanced,
                 min(n.queue_key) AS first_key, max(n.queue_key) AS last_key
            FROM new_rows n WHERE n.status = 'waiting' GROUP BY 1, 2, 3, 4) n
   WHERE q.hall_id = n.hall_id AND q.day = n.day AND q.service_id = n.service_id AND q.advanced = n.advanced
     AND (q.first_key IS NULL OR q.last_key IS NULL OR n.first_key < q.first_key OR n.last_key > q.last_key);
  RETURN NULL;
END;
$$;

-- 4. The hall's counters in a row of their own: every transaction that changes what a hall's status
-- shows, or its queue, locks this row first (it replaces the hall row as the queue's lock).
CREATE TABLE hall_counters (
  hall_id text PRIMARY KEY REFERENCES halls (id),
  -- Bumped by every transaction that changes what GET /halls/{id}/status shows (locks the row).
  status_version bigint NOT NULL DEFAULT 0,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  -- Ticket numbers restart every civil day.
  ticket_day date,
  ticket_seq int NOT NULL DEFAULT 0 CHECK (ticket_seq >= 0)
);
INSERT INTO hall_counters (hall_id, status_version, status_changed_at, ticket_day, ticket_seq)
SELECT id, status_version, status_changed_at, ticket_day, ticket_seq FROM halls;
ALTER TABLE halls DROP COLUMN status_version, DROP COLUMN status_changed_at, DROP COLUMN ticket_day, DROP COLUMN ticket_seq;

-- hall_take_tickets: as in 0003, with the item check in step 1, step 4b reading hall_queue_counts only,
-- step 4d keeping the counts and bounds, the compact audit entry in step 5, and the halls' counters in
-- hall_counters (steps 1 and 4a).
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

  -- 1. The halls' counter rows are the queues' locks: take them in id order.
  SELECT array_agg(l.hall_id) INTO v_known FROM (SELECT h.hall_id FROM hall_counters h WHERE h.hall_id = ANY (p_hall) ORDER BY h.hall_id FOR UPDATE) l;
  -- Every item must be in the catalogue (what the foreign key checked; items are never deleted). A
  -- batch naming an unknown one is refused whole, as the key refused it, and the ticket line splits it.
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT s.id FROM unnest(p_service) AS s(id)) s
              WHERE NOT EXISTS (SELECT 1 FROM hall_services c WHERE c.id = s.id)) THEN
    RAISE EXCEPTION 'hall_take_tickets: an item is not in the catalogue' USING ERRCODE = 'foreign_key_violation';
  END IF;

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
    UPDATE hall_counters h
       -- A new day starts at 1 (or after the day's last number, should the clock have been set back).
       SET ticket_seq = CASE WHEN h.ticket_day = p_day THEN h.ticket_seq
                             ELSE coalesce((SELECT max(x.seq) FROM hall_tickets x WHERE x.hall_id = h.hall_id AND x.day = p_day), 0) END + c.issued,
           ticket_day = p_day,
           status_version = h.status_version + 1,
           status_changed_at = p_now
      FROM (SELECT u.hall, count(*)::int AS issued FROM unnest(p_hall, v_verdict) AS u(hall, verdict) WHERE u.verdict IS NULL GROUP BY u.hall) c
     WHERE h.hall_id = c.hall
    RETURNING h.hall_id, h.ticket_seq - c.issued AS base
  )
  SELECT array_agg(c.hall_id), array_agg(c.base) INTO v_count_hall, v_count_base FROM counted c;
  IF v_count_hall IS NOT NULL THEN
    -- 4b. Before the batch's tickets exist, per hall and competing items, and per lane (walk-ins;
    -- priority visitors and appointments): the waiting tickets and bounds of the lane's keys, all
    -- from the hall's rows of hall_queue_counts (one read per hall and competing items).
    SELECT array_agg(g.hall || '|' || coalesce(g.competing, '*')),
           array_agg(c.walk_waiting), array_agg(c.walk_first), array_agg(c.walk_last),
           array_agg(c.adv_waiting), array_agg(c.adv_first), array_agg(c.adv_last)
      INTO v_group, v_walk_waiting, v_walk_first, v_walk_last, v_adv_waiting, v_adv_first, v_adv_last
      FROM (SELECT DISTINCT u.hall, u.competing FROM unnest(p_hall, p_competing, v_verdict) AS u(hall, competing, verdict) WHERE u.verdict IS NULL) g
      CROSS JOIN LATERAL (
        SELECT coalesce(sum(q.waiting) FILTER (WHERE NOT q.advanced), 0)::int AS walk_waiting,
               min(q.first_key) FILTER (WHERE NOT q.advanced AND q.waiting > 0) AS walk_first,
               max(q.last_key) FILTER (WHERE NOT q.advanced AND q.waiting > 0) AS walk_last,
               coalesce(sum(q.waiting) FILTER (WHERE q.advanced), 0)::int AS adv_waiting,
               min(q.first_key) FILTER (WHERE q.advanced AND q.waiting > 0) AS adv_first,
               max(q.last_key) FILTER (WHERE q.advanced AND q.waiting > 0) AS adv_last
          FROM hall_queue_counts q
         WHERE q.hall_id = g.hall AND q.day = p_day
           AND (g.competing IS NULL OR q.service_id = ANY (string_to_array(g.competing, '|')))) c;

    -- 4c. Each issued ticket's number and place (the key bounds only choose how to count, and a
    -- missing bound counts from the index: every count is exact): in each lane, the waiting tickets of today keyed
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
                 CASE WHEN v_walk_waiting[s.g] = 0 OR v_walk_first[s.g] > s.queue_key THEN 0
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
                 CASE WHEN v_adv_waiting[s.g] = 0 OR v_adv_first[s.g] > s.queue_key THEN 0
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
    -- The waiting tickets per hall, day, item and lane, for the tickets just inserted (the insert
    -- trigger of 0001 did this from a transition table, row by row into a tuplestore).
    INSERT INTO hall_queue_counts (hall_id, day, service_id, advanced, waiting, first_key, last_key)
    SELECT u.hall, p_day, u.service, (u.priority IS NOT NULL OR u.appointment IS NOT NULL), count(*)::int, min(u.queue_key), max(u.queue_key)
      FROM unnest(p_hall, p_service, p_priority, p_appointment, p_queue_key, v_seq) AS u(hall, service, priority, appointment, queue_key, seq)
     WHERE u.seq IS NOT NULL
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (hall_id, day, service_id, advanced) DO UPDATE
      SET waiting = hall_queue_counts.waiting + EXCLUDED.waiting,
          first_key = least(hall_queue_counts.first_key, EXCLUDED.first_key),
          last_key = greatest(hall_queue_counts.last_key, EXCLUDED.last_key);
    UPDATE hall_appointments p SET status = 'checked_in', ticket_id = u.ticket, updated_at = p_now
      FROM unnest(p_ticket, p_appointment, v_seq) AS u(ticket, appointment, seq)
     WHERE u.appointment IS NOT NULL AND u.seq IS NOT NULL AND p.id = u.appointment;
  END IF;

  -- 5. The answer, and the batch's audit entry in the same transaction.
  SELECT json_agg(CASE WHEN u.seq IS NOT NULL THEN json_build_array(u.seq, u.ahead) ELSE json_build_array(u.verdict, u.existing) END ORDER BY u.i),
         jsonb_build_object(
           'count', count(u.seq),
           'fields', 'ticket|number|hall|service|person|via|issuedBy|priority|appointment',
           'tickets', coalesce(to_jsonb(array_agg(u.ticket || '|' || u.number || '|' || u.hall || '|' || u.service || '|' || u.person || '|' || u.via || '|' || u.issued_by
                                                  || '|' || coalesce(u.priority, '') || '|' || coalesce(u.appointment, '')
                                          ORDER BY u.i) FILTER (WHERE u.seq IS NOT NULL)), '[]'::jsonb),
           'requestIds', coalesce(to_jsonb(array_agg(u.request ORDER BY u.i) FILTER (WHERE u.seq IS NOT NULL)), '[]'::jsonb)),
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
