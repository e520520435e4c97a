-- Service halls (systems.md S1, components A, D, E, F, G): the catalogue of business items, halls
-- and their windows, bookable slots and appointments, tickets in one fair queue per hall, ratings
-- and the quality review. Invariants live here:
--   * a slot is never booked beyond its capacity (CHECK booked <= capacity; bookings are one
--     guarded UPDATE … WHERE booked < capacity);
--   * one active appointment per person and item, one active ticket per person and hall (partial
--     unique indexes);
--   * one rating per ticket (primary key), one review item per ticket and kind (unique);
--   * ticket numbers are unique per hall and day.
-- Every transaction that changes a hall's queue, windows or slots first bumps halls.status_version,
-- which locks the hall row: such transactions on one hall run one after another and always lock in
-- the same order (hall → its rows → audit head), so they cannot deadlock. People are referred to by
-- person id only; identity numbers never enter these tables.

CREATE TABLE hall_services (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
  category text NOT NULL CHECK (category IN ('population', 'traffic', 'public_order', 'exit_entry')),
  name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  -- documents [{id, name: {zh-CN, en}}], fee note, completion time: the pre-visit guidance (POL-16)
  documents jsonb NOT NULL DEFAULT '[]'::jsonb,
  fee_yuan numeric(10, 2) NOT NULL DEFAULT 0 CHECK (fee_yuan >= 0),
  fee_note jsonb,
  completion jsonb,
  window_minutes int NOT NULL CHECK (window_minutes BETWEEN 1 AND 480),
  sort int NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  demo boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE halls (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
  type text NOT NULL CHECK (type IN ('police_station', 'traffic_police', 'service_hall')),
  name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  district_code text NOT NULL CHECK (district_code ~ '^\d{6}$'),
  address text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  phone text NOT NULL CHECK (length(phone) BETWEEN 3 AND 40),
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  -- {workingDays: [[from, to], …], restDays: [[from, to], …]} in Asia/Shanghai civil time
  hours jsonb NOT NULL,
  slot_minutes int NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 5 AND 240),
  slot_capacity int NOT NULL DEFAULT 3 CHECK (slot_capacity BETWEEN 0 AND 1000),
  active boolean NOT NULL DEFAULT true,
  demo boolean NOT NULL DEFAULT false,
  -- Entrance tags (NFC stickers, QR posters) carry this generation; rotating it voids printed tags.
  tag_generation int NOT NULL DEFAULT 1 CHECK (tag_generation > 0),
  -- Bumped by every transaction that changes what GET /halls/{id}/status shows (locks the row).
  status_version bigint NOT NULL DEFAULT 0,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  -- Ticket numbers restart every civil day.
  ticket_day date,
  ticket_seq int NOT NULL DEFAULT 0 CHECK (ticket_seq >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hall_windows (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{1,79}$'),
  hall_id text NOT NULL REFERENCES halls (id),
  name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
  -- What the window handles: '*' (every item: 一窗通办, POL-13), 'category:<id>', or item ids.
  services text[] NOT NULL,
  sort int NOT NULL DEFAULT 0,
  open boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hall_windows_hall ON hall_windows (hall_id, sort);

CREATE TABLE hall_slots (
  hall_id text NOT NULL REFERENCES halls (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  capacity int NOT NULL CHECK (capacity >= 0),
  booked int NOT NULL DEFAULT 0 CHECK (booked >= 0),
  PRIMARY KEY (hall_id, starts_at),
  CHECK (ends_at > starts_at),
  CONSTRAINT hall_slots_booked_within_capacity CHECK (booked <= capacity)
);

CREATE TABLE hall_appointments (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  service_id text NOT NULL REFERENCES hall_services (id),
  person_id text NOT NULL,
  slot_start timestamptz NOT NULL,
  slot_end timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'checked_in', 'cancelled', 'missed')),
  ticket_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (hall_id, slot_start) REFERENCES hall_slots (hall_id, starts_at)
);
-- One active appointment per person and item.
CREATE UNIQUE INDEX hall_appointments_one_active ON hall_appointments (person_id, service_id) WHERE status = 'booked';
CREATE INDEX hall_appointments_person ON hall_appointments (person_id, slot_start DESC);
CREATE INDEX hall_appointments_due ON hall_appointments (slot_start) WHERE status = 'booked';

CREATE TABLE hall_tickets (
  id text PRIMARY KEY,
  -- No foreign key to halls: hall_take_tickets checks the hall under its row lock, where a
  -- per-row key check would cost more than the rest of the insert.
  hall_id text NOT NULL,
  service_id text NOT NULL REFERENCES hall_services (id),
  person_id text NOT NULL,
  day date NOT NULL,
  seq int NOT NULL CHECK (seq > 0),
  number text NOT NULL,
  via text NOT NULL CHECK (via IN ('nfc', 'qr', 'lobby')),
  appointment_id text REFERENCES hall_appointments (id),
  -- elderly (derived from the identity number's birth date when the ticket is issued), disabled,
  -- pregnant, other (declared to the lobby officer); null for everyone else.
  priority text CHECK (priority IN ('elderly', 'disabled', 'pregnant', 'other')),
  -- The one fair queue is ordered by (queue_key, seq): the time the ticket counts from, minus the
  -- priority advance (see docs/modules/halls.md, "The queue").
  queued_at timestamptz NOT NULL,
  queue_key timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('waiting', 'called', 'done', 'not_done', 'no_show', 'cancelled', 'expired')),
  target_window_id text REFERENCES hall_windows (id),
  window_id text REFERENCES hall_windows (id),
  issued_at timestamptz NOT NULL,
  called_at timestamptz,
  first_called_at timestamptz,
  call_count int NOT NULL DEFAULT 0,
  finished_at timestamptz,
  reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
  transfers int NOT NULL DEFAULT 0,
  issued_by text NOT NULL,
  finished_by text,
  UNIQUE (hall_id, day, seq),
  CHECK (status <> 'not_done' OR reason IS NOT NULL)
);
-- One active ticket per person and hall.
CREATE UNIQUE INDEX hall_tickets_one_active ON hall_tickets (person_id, hall_id) WHERE status IN ('waiting', 'called');
CREATE INDEX hall_tickets_queue ON hall_tickets (hall_id, queue_key, seq) WHERE status = 'waiting';
CREATE INDEX hall_tickets_called ON hall_tickets (hall_id, called_at DESC) WHERE called_at IS NOT NULL;
-- A window serves one ticket at a time.
CREATE UNIQUE INDEX hall_tickets_one_per_window ON hall_tickets (window_id) WHERE status = 'called';
CREATE INDEX hall_tickets_person ON hall_tickets (person_id, issued_at DESC);
CREATE INDEX hall_tickets_finished ON hall_tickets (hall_id, service_id, finished_at DESC) WHERE finished_at IS NOT NULL;

-- Waiting tickets per hall, civil day and item, kept by statement-level triggers on hall_tickets, so
-- the queue length and a new ticket's position need no count over the whole queue.
CREATE TABLE hall_queue_counts (
  hall_id text NOT NULL,
  day date NOT NULL,
  service_id text NOT NULL,
  waiting int NOT NULL CHECK (waiting >= 0),
  PRIMARY KEY (hall_id, day, service_id)
);

CREATE FUNCTION hall_queue_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO hall_queue_counts (hall_id, day, service_id, waiting)
  SELECT n.hall_id, n.day, n.service_id, count(*) FROM new_rows n WHERE n.status = 'waiting' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (hall_id, day, service_id) DO UPDATE SET waiting = hall_queue_counts.waiting + EXCLUDED.waiting;
  RETURN NULL;
END;
$$;

CREATE FUNCTION hall_queue_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Existing rows take the change in place (a proposed row of -1 would fail the CHECK before any
  -- ON CONFLICT); a first ticket of an item on a day inserts its row.
  WITH delta AS (
    SELECT x.hall_id, x.day, x.service_id, sum(x.change)::int AS change FROM (
      SELECT n.hall_id, n.day, n.service_id, 1 AS change FROM new_rows n WHERE n.status = 'waiting'
      UNION ALL
      SELECT o.hall_id, o.day, o.service_id, -1 FROM old_rows o WHERE o.status = 'waiting'
    ) x GROUP BY 1, 2, 3 HAVING sum(x.change) <> 0
  ),
  changed AS (
    UPDATE hall_queue_counts q SET waiting = q.waiting + d.change
      FROM delta d WHERE q.hall_id = d.hall_id AND q.day = d.day AND q.service_id = d.service_id
    RETURNING q.hall_id, q.day, q.service_id
  )
  INSERT INTO hall_queue_counts (hall_id, day, service_id, waiting)
  SELECT d.hall_id, d.day, d.service_id, d.change FROM delta d
   WHERE d.change > 0 AND NOT EXISTS (SELECT 1 FROM changed c WHERE c.hall_id = d.hall_id AND c.day = d.day AND c.service_id = d.service_id)
   ORDER BY 1, 2, 3
  ON CONFLICT (hall_id, day, service_id) DO UPDATE SET waiting = hall_queue_counts.waiting + EXCLUDED.waiting;
  RETURN NULL;
END;
$$;

CREATE TRIGGER hall_queue_counts_insert AFTER INSERT ON hall_tickets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hall_queue_counts_after_insert();
CREATE TRIGGER hall_queue_counts_update AFTER UPDATE ON hall_tickets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hall_queue_counts_after_update();

-- Ratings (好差评): five levels, one per service event (一次一评).
CREATE TABLE hall_ratings (
  ticket_id text PRIMARY KEY REFERENCES hall_tickets (id),
  person_id text NOT NULL,
  hall_id text NOT NULL REFERENCES halls (id),
  service_id text NOT NULL REFERENCES hall_services (id),
  window_id text,
  level int NOT NULL CHECK (level BETWEEN 1 AND 5),
  comment text CHECK (comment IS NULL OR length(comment) <= 500),
  rated_at timestamptz NOT NULL
);
CREATE INDEX hall_ratings_hall ON hall_ratings (hall_id, rated_at);

-- The quality review (质效评估, POL-17): every bad rating and every not-done outcome opens an item.
CREATE TABLE hall_reviews (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('bad_rating', 'not_done')),
  ticket_id text NOT NULL REFERENCES hall_tickets (id),
  hall_id text NOT NULL REFERENCES halls (id),
  service_id text NOT NULL REFERENCES hall_services (id),
  window_id text,
  handled_by text,
  rating_level int,
  detail text,
  opened_at timestamptz NOT NULL,
  callback_due_at timestamptz NOT NULL,
  rectify_due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'called_back', 'rectifying', 'appealed', 'closed')),
  callback_note text,
  called_back_at timestamptz,
  called_back_by text,
  rectification_note text,
  rectified_at timestamptz,
  appeal_reason text,
  appealed_at timestamptz,
  resolution text CHECK (resolution IN ('rectified', 'explained', 'appeal_upheld', 'appeal_rejected')),
  closing_note text,
  closed_at timestamptz,
  closed_by text,
  updated_at timestamptz NOT NULL,
  UNIQUE (ticket_id, kind)
);
CREATE INDEX hall_reviews_hall ON hall_reviews (hall_id, status, opened_at DESC);

-- Lobby triage outcomes that did not end in a ticket (分流, POL-15): redirected residents.
CREATE TABLE hall_redirects (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls (id),
  service_id text REFERENCES hall_services (id),
  reason text NOT NULL CHECK (reason IN ('missing_documents', 'other_hall', 'online', 'not_police_business', 'other')),
  missing_documents text[] NOT NULL DEFAULT '{}',
  to_hall_id text REFERENCES halls (id),
  note text CHECK (note IS NULL OR length(note) <= 500),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX hall_redirects_hall ON hall_redirects (hall_id, created_at);

-- Takes a batch of tickets in one call (the ticket line, src/modules/halls/ticket-line.ts). The input
-- is a JSON array with one array per request: [ticket id, hall, item, person, via, appointment,
-- priority, queued at, queue key, number prefix, competing items, issued by, request id]; at most one
-- request per person and hall. The batch's audit entry (every ticket issued, to whom, how, by whom) is
-- appended in the same statement's transaction by audit_append. The answer is a JSON array in the same order: [outcome, ticket id, number,
-- seq, ahead, existing ticket]. (One JSON value each way: cheaper for both drivers than a dozen
-- arrays in and a row per request out.)
-- Halls are locked in id order first (the queue's mutex), so the check for an active ticket cannot
-- race; the partial unique index is the last line of defence. Outcomes: issued, already_active,
-- appointment_invalid, unknown_hall. `ahead` counts today's waiting tickets before each new one
-- among the items that compete for the same windows (competing: '|'-joined item ids, null = all):
-- the waiting total comes from hall_queue_counts, and the tickets queued after the new one
-- (usually none: a walk-in's key is "now") are subtracted.
CREATE FUNCTION hall_take_tickets(p_requests json, p_day date, p_now timestamptz) RETURNS json
-- Plans are cached once (generic): planning these statements for every batch would cost more than the batch.
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_halls text[];
  v_people text[];
  v_answer json;
  v_summary jsonb;
  v_entity text;
BEGIN
  SELECT array_agg(r ->> 1), array_agg(r ->> 3) INTO v_halls, v_people FROM json_array_elements(p_requests) AS r;
  IF v_halls IS NULL THEN RETURN '[]'::json; END IF;

  -- The hall rows are the queues' locks: take them in id order.
  PERFORM 1 FROM halls h WHERE h.id = ANY (v_halls) ORDER BY h.id FOR UPDATE;

  -- A ticket left over from an earlier day no longer holds its place. (An array of ids keeps this
  -- an index probe per request whatever plan is cached: a join here can turn into a table scan.)
  UPDATE hall_tickets t SET status = 'expired'
   WHERE t.id = ANY (ARRAY(
     SELECT x.id FROM unnest(v_people, v_halls) AS u(person, hall)
      CROSS JOIN LATERAL (SELECT a.id FROM hall_tickets a
                           WHERE a.person_id = u.person AND a.hall_id = u.hall AND a.status IN ('waiting', 'called') AND a.day < p_day) x));

  WITH input AS (
    SELECT e.i::int AS idx, e.r ->> 0 AS ticket, e.r ->> 1 AS hall, e.r ->> 2 AS service, e.r ->> 3 AS person, e.r ->> 4 AS via,
           e.r ->> 5 AS appointment, e.r ->> 6 AS priority, (e.r ->> 7)::timestamptz AS queued_at, (e.r ->> 8)::timestamptz AS queue_key,
           e.r ->> 9 AS prefix, e.r ->> 10 AS competing, e.r ->> 11 AS issued_by, e.r ->> 12 AS request_id
      FROM json_array_elements(p_requests) WITH ORDINALITY AS e(r, i)
  ),
  judged AS (
    SELECT i.*, a.id AS existing,
           CASE
             WHEN h.id IS NULL THEN 'unknown_hall'
             WHEN a.id IS NOT NULL THEN 'already_active'
             WHEN i.appointment IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM hall_appointments p WHERE p.id = i.appointment AND p.person_id = i.person AND p.hall_id = i.hall
                 AND p.service_id = i.service AND p.status = 'booked') THEN 'appointment_invalid'
             ELSE 'issued'
           END AS verdict
      FROM input i
      LEFT JOIN halls h ON h.id = i.hall
      LEFT JOIN LATERAL (SELECT x.id FROM hall_tickets x WHERE x.person_id = i.person AND x.hall_id = i.hall AND x.status IN ('waiting', 'called') LIMIT 1) a ON true
  ),
  numbered AS (
    SELECT j.*, row_number() OVER (PARTITION BY j.hall ORDER BY j.idx)::int AS n,
           -- tickets of this batch queued before this one for the same windows (their numbers are smaller)
           (row_number() OVER (PARTITION BY j.hall, j.competing ORDER BY j.queue_key, j.idx) - 1)::int AS before_in_batch
      FROM judged j WHERE j.verdict = 'issued'
  ),
  totals AS (
    SELECT g.hall, g.competing,
           (SELECT coalesce(sum(q.waiting), 0)::int FROM hall_queue_counts q
             WHERE q.hall_id = g.hall AND q.day = p_day
               AND (g.competing IS NULL OR q.service_id = ANY (string_to_array(g.competing, '|')))) AS waiting,
           -- the latest key waiting: tickets queued after a new one exist only when its key is earlier
           (SELECT w.queue_key FROM hall_tickets w WHERE w.hall_id = g.hall AND w.status = 'waiting'
             ORDER BY w.queue_key DESC, w.seq DESC LIMIT 1) AS last_key
      FROM (SELECT DISTINCT n.hall, n.competing FROM numbered n) g
  ),
  counters AS (
    UPDATE halls h
       -- A new day starts at 1 (or after the day's last number, should the clock have been set back).
       SET ticket_seq = CASE WHEN h.ticket_day = p_day THEN h.ticket_seq
                             ELSE coalesce((SELECT max(x.seq) FROM hall_tickets x WHERE x.hall_id = h.id AND x.day = p_day), 0) END + c.issued,
           ticket_day = p_day,
           status_version = h.status_version + 1,
           status_changed_at = p_now
      FROM (SELECT hall, count(*)::int AS issued FROM numbered GROUP BY hall) c
     WHERE h.id = c.hall
    RETURNING h.id, h.ticket_seq - c.issued AS base
  ),
  inserted AS (
    INSERT INTO hall_tickets (id, hall_id, service_id, person_id, day, seq, number, via, appointment_id, priority,
                              queued_at, queue_key, status, issued_at, issued_by)
    SELECT n.ticket, n.hall, n.service, n.person, p_day, c.base + n.n, n.prefix || lpad((c.base + n.n)::text, greatest(3, length((c.base + n.n)::text)), '0'), n.via,
           n.appointment, n.priority, n.queued_at, n.queue_key, 'waiting', p_now, n.issued_by
      FROM numbered n JOIN counters c ON c.id = n.hall
    RETURNING hall_tickets.id, hall_tickets.seq, hall_tickets.number, hall_tickets.appointment_id
  ),
  checked_in AS (
    UPDATE hall_appointments p SET status = 'checked_in', ticket_id = x.id, updated_at = p_now
      FROM inserted x WHERE p.id = x.appointment_id
    RETURNING p.id
  )
  SELECT
    (SELECT json_agg(json_build_array(
              j.verdict, x.id, x.number, x.seq,
              CASE WHEN x.id IS NULL THEN NULL ELSE
                -- Waiting before this batch (the counts' triggers fire after this statement), minus those
                -- queued after the new ticket (later keys: early appointments), plus this batch's before it.
                t.waiting
                - CASE WHEN t.last_key > j.queue_key THEN (
                    SELECT count(*)::int FROM hall_tickets w
                     WHERE w.hall_id = j.hall AND w.status = 'waiting' AND w.day = p_day AND w.queue_key > j.queue_key
                       AND (j.competing IS NULL OR w.service_id = ANY (string_to_array(j.competing, '|')))) ELSE 0 END
                + nb.before_in_batch
              END,
              j.existing) ORDER BY j.idx)
       FROM judged j
       LEFT JOIN inserted x ON x.id = j.ticket
       LEFT JOIN numbered nb ON nb.idx = j.idx
       LEFT JOIN totals t ON t.hall = j.hall AND t.competing IS NOT DISTINCT FROM j.competing),
    (SELECT jsonb_build_object(
              'count', count(*),
              'tickets', jsonb_agg(jsonb_build_array(x.id, x.number, n.hall, n.service, n.person, n.via, n.issued_by, n.priority, n.appointment) ORDER BY n.idx),
              'requestIds', jsonb_agg(n.request_id ORDER BY n.idx))
       FROM inserted x JOIN numbered n ON n.ticket = x.id),
    (SELECT string_agg(DISTINCT n.hall, ',' ORDER BY n.hall) FROM numbered n)
    INTO v_answer, v_summary, v_entity;
  IF (v_summary ->> 'count')::int > 0 THEN
    PERFORM audit_append(ARRAY[p_now], ARRAY['system'], ARRAY['halls.ticket-line'], ARRAY['halls.tickets.issue'], ARRAY['hall'],
                         ARRAY[v_entity], ARRAY[v_summary], ARRAY[NULL::text]);
  END IF;
  RETURN v_answer;
END;
$$;
