-- Subsidy programmes, monthly releases, per-person quota usage and coupons (systems.md S2).
-- The invariants live here: issued <= stock (CHECK), used <= quota (CHECK), one release per
-- programme, channel and month (UNIQUE), and claims go through subsidy_claim_batch, which locks
-- releases and quota rows in a fixed order before it reads them.

CREATE TABLE subsidy_programmes (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('appliances', 'digital')),
  version text NOT NULL,
  month_quota int NOT NULL CHECK (month_quota > 0),   -- TI-19, TI-20
  year_quota int NOT NULL CHECK (year_quota >= month_quota),
  starts_at timestamptz NOT NULL,                     -- TI-01
  ends_at timestamptz NOT NULL,                       -- TI-02
  definition jsonb NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subsidy_releases (
  id text PRIMARY KEY,
  programme_id text NOT NULL REFERENCES subsidy_programmes (id),
  channel text NOT NULL CHECK (channel IN ('online', 'offline')),
  month text NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  opens_at timestamptz NOT NULL,
  closes_at timestamptz NOT NULL,
  stock int NOT NULL CHECK (stock >= 0),
  issued int NOT NULL DEFAULT 0 CHECK (issued >= 0),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (programme_id, channel, month),
  CHECK (closes_at > opens_at),
  CONSTRAINT subsidy_releases_issued_within_stock CHECK (issued <= stock)
);

-- One row per person, programme and year (TI-19, TI-20): month_used counts the month the row names; a
-- claim in a later month starts it again from zero (only one month's releases are open at once,
-- TI-17). Every claimed coupon counts for good (TI-21).
CREATE TABLE subsidy_quota (
  person_id text NOT NULL,
  programme_id text NOT NULL,
  year text NOT NULL CHECK (year ~ '^\d{4}$'),
  month text NOT NULL CHECK (month ~ '^\d{4}-\d{2}$' AND left(month, 4) = year),
  month_used int NOT NULL CHECK (month_used >= 0),
  year_used int NOT NULL CHECK (year_used >= 0),
  month_quota int NOT NULL CHECK (month_quota >= 0),
  year_quota int NOT NULL CHECK (year_quota >= 0),
  PRIMARY KEY (person_id, programme_id, year),
  CONSTRAINT subsidy_quota_month_within_quota CHECK (month_used <= month_quota),
  CONSTRAINT subsidy_quota_year_within_quota CHECK (year_used <= year_quota),
  CHECK (month_used <= year_used)
);

-- The hot tables of a flash release take no per-row foreign-key checks: subsidy_claim_batch inserts
-- coupons and quota rows only for releases it has just locked. Three indexes: the id, (person, key)
-- for replays and a person's coupons, (release, time) for the live chart.
CREATE TABLE subsidy_coupons (
  id text PRIMARY KEY,
  release_id text NOT NULL,
  person_id text NOT NULL,
  programme_id text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('online', 'offline')),
  month text NOT NULL,
  claimed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,                    -- TI-18: end of the month
  status text NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'exchanged', 'expired')),
  idempotency_key text,
  claim_district text CHECK (claim_district ~ '^\d{6}$'), -- where it was claimed; coordinates are not kept
  UNIQUE (person_id, idempotency_key)
);
CREATE INDEX subsidy_coupons_release_time ON subsidy_coupons (release_id, claimed_at);

-- Claims of many people in one statement (docs/adr/0005-batched-claims.md). Inputs are parallel
-- arrays, one element per request, at most one request per person and programme (the caller holds
-- the others back to the next batch). Outcomes: claimed, replayed, key_reused, not_open, closed,
-- quota_month, quota_year, sold_out, unknown_release. Locks are taken in one global order — quota
-- rows in key order, then releases in id order, then the audit head — so concurrent batches from
-- several processes never deadlock and never read a count they do not hold. The batch's audit entry
-- is appended inside, so decisions, coupons, counters, stock and audit commit together.
CREATE FUNCTION subsidy_claim_batch(
  p_person text[], p_release text[], p_key text[], p_district text[], p_coupon text[], p_request text[], p_now timestamptz
) RETURNS TABLE (idx int, outcome text, coupon_id text, release_id text, claimed_at timestamptz, expires_at timestamptz, remaining int)
LANGUAGE plpgsql AS $$
DECLARE
  v_count int := coalesce(array_length(p_person, 1), 0);
BEGIN
  IF v_count = 0 THEN RETURN; END IF;

  IF to_regclass('pg_temp.claim_batch') IS NULL THEN
  CREATE TEMP TABLE claim_batch (
    idx int PRIMARY KEY, person_id text, release_id text, key text, district text, coupon_id text, request_id text,
    programme_id text, month text, year text, opens_at timestamptz, closes_at timestamptz,
    outcome text, existing_coupon text,
    month_used int, year_used int, month_quota int, year_quota int
  ) ON COMMIT DELETE ROWS;
  END IF;
  DELETE FROM pg_temp.claim_batch;

  INSERT INTO pg_temp.claim_batch (idx, person_id, release_id, key, district, coupon_id, request_id, programme_id, month, year, opens_at, closes_at, outcome)
  SELECT t.i, t.person, t.release, t.key, t.district, t.coupon, t.request, r.programme_id, r.month, left(r.month, 4), r.opens_at, r.closes_at,
         CASE WHEN r.id IS NULL THEN 'unknown_release' END
    FROM unnest(p_person, p_release, p_key, p_district, p_coupon, p_request) WITH ORDINALITY AS t(person, release, key, district, coupon, request, i)
    LEFT JOIN subsidy_releases r ON r.id = t.release;
  -- Statistics of the batch let the planner look rows up by index in the large tables instead of
  -- scanning them (a scan per batch would slow every batch as the month fills up).
  ANALYZE pg_temp.claim_batch;

  -- One quota row per person, programme and year (TI-19, TI-20): created if new, locked in key
  -- order, and read in the same statement; month_used counts the month named in the row.
  WITH locked AS (
    INSERT INTO subsidy_quota (person_id, programme_id, year, month, month_used, year_used, month_quota, year_quota)
    SELECT DISTINCT b.person_id, b.programme_id, b.year, b.month, 0, 0, g.month_quota, g.year_quota
      FROM pg_temp.claim_batch b JOIN subsidy_programmes g ON g.id = b.programme_id
     WHERE b.outcome IS NULL
     ORDER BY 1, 2, 3
    ON CONFLICT (person_id, programme_id, year) DO UPDATE
      SET month_quota = EXCLUDED.month_quota, year_quota = EXCLUDED.year_quota
    RETURNING person_id, programme_id, year, month, month_used, year_used, month_quota, year_quota)
  UPDATE pg_temp.claim_batch b
     SET month_used = CASE WHEN l.month = b.month THEN l.month_used ELSE 0 END,
         year_used = l.year_used, month_quota = l.month_quota, year_quota = l.year_quota
    FROM locked l
   WHERE l.person_id = b.person_id AND l.programme_id = b.programme_id AND l.year = b.year;

  -- Idempotent replays, checked under the person's locks: the same person and key already
  -- claimed, so the key's first answer stands.
  UPDATE pg_temp.claim_batch b
     SET outcome = CASE WHEN c.release_id = b.release_id THEN 'replayed' ELSE 'key_reused' END, existing_coupon = c.id
    FROM subsidy_coupons c
   WHERE b.outcome IS NULL AND b.key IS NOT NULL AND c.person_id = b.person_id AND c.idempotency_key = b.key;

  -- TI-17: coupons are issued from the opening time to the end of the month.
  UPDATE pg_temp.claim_batch b SET outcome = 'not_open' WHERE b.outcome IS NULL AND p_now < b.opens_at;
  UPDATE pg_temp.claim_batch b SET outcome = 'closed' WHERE b.outcome IS NULL AND p_now >= b.closes_at;

  -- Quotas (TI-19, TI-20): the k-th request of a person for a programme in this batch needs k free places.
  WITH ranked AS (
    SELECT b.idx, row_number() OVER (PARTITION BY b.person_id, b.programme_id ORDER BY b.idx) AS k
      FROM pg_temp.claim_batch b WHERE b.outcome IS NULL)
  UPDATE pg_temp.claim_batch b
     SET outcome = CASE WHEN b.month_used + r.k > b.month_quota THEN 'quota_month' ELSE 'quota_year' END
    FROM ranked r
   WHERE b.idx = r.idx AND (b.month_used + r.k > b.month_quota OR b.year_used + r.k > b.year_quota);

  -- The releases are locked last, in id order (quota rows first, in key order: one global order for
  -- every batch), so a batch does its other work while the previous one still holds the release.
  PERFORM 1 FROM subsidy_releases r WHERE r.id IN (SELECT b.release_id FROM pg_temp.claim_batch b WHERE b.outcome IS NULL)
   ORDER BY r.id FOR UPDATE;

  -- Stock (TI-17): first come, first served within the batch, up to what is left.
  WITH ranked AS (
    SELECT b.idx, row_number() OVER (PARTITION BY b.release_id ORDER BY b.idx) AS n, r.stock - r.issued AS left_over
      FROM pg_temp.claim_batch b JOIN subsidy_releases r ON r.id = b.release_id
     WHERE b.outcome IS NULL)
  UPDATE pg_temp.claim_batch b
     SET outcome = CASE WHEN r.n <= r.left_over THEN 'claimed' ELSE 'sold_out' END
    FROM ranked r WHERE b.idx = r.idx;

  INSERT INTO subsidy_coupons (id, release_id, person_id, programme_id, channel, month, claimed_at, expires_at, idempotency_key, claim_district)
  SELECT b.coupon_id, b.release_id, b.person_id, b.programme_id, r.channel, b.month, p_now, b.closes_at, b.key, b.district
    FROM pg_temp.claim_batch b JOIN subsidy_releases r ON r.id = b.release_id
   WHERE b.outcome = 'claimed';

  UPDATE subsidy_quota q
     SET month_used = CASE WHEN q.month = c.month THEN q.month_used + c.n ELSE c.n END, month = c.month, year_used = q.year_used + c.n
    FROM (SELECT b.person_id, b.programme_id, b.year, b.month, count(*)::int AS n
            FROM pg_temp.claim_batch b WHERE b.outcome = 'claimed' GROUP BY 1, 2, 3, 4) c
   WHERE q.person_id = c.person_id AND q.programme_id = c.programme_id AND q.year = c.year;

  -- One audit entry for the batch lists every coupon issued and to whom, chained like any other.
  PERFORM audit_append(ARRAY[p_now], ARRAY['system'], ARRAY['subsidies.claim-line'], ARRAY['subsidies.coupons.claim'], ARRAY['subsidy_release'],
                       ARRAY[string_agg(DISTINCT b.release_id, ',' ORDER BY b.release_id)],
                       ARRAY[jsonb_build_object('count', count(*), 'coupons', jsonb_agg(jsonb_build_array(b.coupon_id, b.person_id, b.release_id) ORDER BY b.idx),
                                                'requestIds', jsonb_agg(b.request_id ORDER BY b.idx))],
                       ARRAY[NULL::text])
     FROM pg_temp.claim_batch b WHERE b.outcome = 'claimed' HAVING count(*) > 0;

  UPDATE subsidy_releases r SET issued = r.issued + c.n
    FROM (SELECT b.release_id, count(*)::int AS n FROM pg_temp.claim_batch b WHERE b.outcome = 'claimed' GROUP BY 1) c
   WHERE r.id = c.release_id;

  RETURN QUERY
  SELECT b.idx::int, b.outcome,
         coalesce(b.existing_coupon, CASE WHEN b.outcome = 'claimed' THEN b.coupon_id END),
         coalesce(c.release_id, b.release_id),
         c.claimed_at, c.expires_at,
         r.stock - r.issued
    FROM pg_temp.claim_batch b
    LEFT JOIN subsidy_releases r ON r.id = b.release_id
    LEFT JOIN subsidy_coupons c ON c.id = coalesce(b.existing_coupon, CASE WHEN b.outcome = 'claimed' THEN b.coupon_id END)
   ORDER BY b.idx;
END;
$$;
