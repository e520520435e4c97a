-- The hot tables of a flash release check their programme through the release the batch function
-- joins and locks; per-row foreign-key triggers to subsidy_programmes cost more than the rest of a
-- claim's work (the function inserts coupons and quota rows only for releases it has just locked).
-- Coupons keep three indexes: the id, (person, key) for replays and a person's coupons, and
-- (release, time) for the live chart; expiry once a month reads the table without an index.
ALTER TABLE subsidy_quota_usage DROP CONSTRAINT subsidy_quota_usage_programme_id_fkey;
ALTER TABLE subsidy_coupons DROP CONSTRAINT subsidy_coupons_programme_id_fkey;
ALTER TABLE subsidy_coupons DROP CONSTRAINT subsidy_coupons_release_id_fkey;
DROP INDEX subsidy_coupons_person;
DROP INDEX subsidy_coupons_open;
DROP INDEX subsidy_coupons_release;
CREATE INDEX subsidy_coupons_release_time ON subsidy_coupons (release_id, claimed_at);

-- subsidy_claim_batch, revised: the batch's temporary table is analysed after it is filled, so the
-- planner joins it to the large tables (quota usage, coupons) by index instead of scanning them;
-- before this, each batch got slower as the month filled up. Otherwise identical to 0001.

-- Claims of many people in one call. Inputs are parallel arrays, one element per request, at
-- most one request per person and programme (the caller holds the others back to the next
-- batch). Outcomes: claimed, replayed, key_reused, not_open, closed, quota_month, quota_year,
-- sold_out, unknown_release. Quota rows are locked in (person, programme, period) order and
-- releases in id order, so concurrent batches from several processes never deadlock and never
-- read a count they do not hold.
CREATE OR REPLACE FUNCTION subsidy_claim_batch(
  p_person text[], p_release text[], p_key text[], p_district text[], p_coupon text[], p_now timestamptz
) RETURNS TABLE (idx int, outcome text, coupon_id text, release_id text, claimed_at timestamptz, expires_at timestamptz, remaining int)
LANGUAGE plpgsql AS $$
DECLARE
  v_count int := coalesce(array_length(p_person, 1), 0);
BEGIN
  IF v_count = 0 THEN RETURN; END IF;

  IF to_regclass('pg_temp.claim_batch') IS NULL THEN
  CREATE TEMP TABLE claim_batch (
    idx int PRIMARY KEY, person_id text, release_id text, key text, district text, coupon_id text,
    programme_id text, month text, year text, opens_at timestamptz, closes_at timestamptz,
    outcome text, existing_coupon text
  ) ON COMMIT DELETE ROWS;
  END IF;
  DELETE FROM pg_temp.claim_batch;

  INSERT INTO pg_temp.claim_batch (idx, person_id, release_id, key, district, coupon_id, programme_id, month, year, opens_at, closes_at, outcome)
  SELECT t.i, t.person, t.release, t.key, t.district, t.coupon, r.programme_id, r.month, left(r.month, 4), r.opens_at, r.closes_at,
         CASE WHEN r.id IS NULL THEN 'unknown_release' END
    FROM unnest(p_person, p_release, p_key, p_district, p_coupon) WITH ORDINALITY AS t(person, release, key, district, coupon, i)
    LEFT JOIN subsidy_releases r ON r.id = t.release;
  -- Statistics of the batch let the planner look rows up by index in the large tables instead of
  -- scanning them (a scan per batch would slow every batch as the month fills up).
  ANALYZE pg_temp.claim_batch;

  -- Lock the releases in id order, then make sure every quota row exists (inserted in key order)
  -- and lock those in the same order: every batch takes its locks in one global order.
  PERFORM 1 FROM subsidy_releases r WHERE r.id IN (SELECT b.release_id FROM pg_temp.claim_batch b WHERE b.outcome IS NULL)
   ORDER BY r.id FOR UPDATE;

  INSERT INTO subsidy_quota_usage (person_id, programme_id, period, used, quota)
  SELECT DISTINCT b.person_id, b.programme_id, p.period, 0, p.quota
    FROM pg_temp.claim_batch b
    JOIN subsidy_programmes g ON g.id = b.programme_id
    CROSS JOIN LATERAL (VALUES (b.month, g.month_quota), (b.year, g.year_quota)) AS p(period, quota)
   WHERE b.outcome IS NULL
   ORDER BY 1, 2, 3
  ON CONFLICT DO NOTHING;

  PERFORM 1 FROM subsidy_quota_usage q
   WHERE (q.person_id, q.programme_id, q.period) IN (
     SELECT b.person_id, b.programme_id, b.month FROM pg_temp.claim_batch b WHERE b.outcome IS NULL
     UNION SELECT b.person_id, b.programme_id, b.year FROM pg_temp.claim_batch b WHERE b.outcome IS NULL)
   ORDER BY q.person_id, q.programme_id, q.period FOR UPDATE;

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
    SELECT b.idx, row_number() OVER (PARTITION BY b.person_id, b.programme_id ORDER BY b.idx) AS k,
           m.used AS month_used, m.quota AS month_quota, y.used AS year_used, y.quota AS year_quota
      FROM pg_temp.claim_batch b
      JOIN subsidy_quota_usage m ON m.person_id = b.person_id AND m.programme_id = b.programme_id AND m.period = b.month
      JOIN subsidy_quota_usage y ON y.person_id = b.person_id AND y.programme_id = b.programme_id AND y.period = b.year
     WHERE b.outcome IS NULL)
  UPDATE pg_temp.claim_batch b
     SET outcome = CASE WHEN r.month_used + r.k > r.month_quota THEN 'quota_month' ELSE 'quota_year' END
    FROM ranked r
   WHERE b.idx = r.idx AND (r.month_used + r.k > r.month_quota OR r.year_used + r.k > r.year_quota);

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

  UPDATE subsidy_quota_usage q SET used = q.used + c.n
    FROM (SELECT b.person_id, b.programme_id, p.period, count(*)::int AS n
            FROM pg_temp.claim_batch b CROSS JOIN LATERAL (VALUES (b.month), (b.year)) AS p(period)
           WHERE b.outcome = 'claimed' GROUP BY 1, 2, 3) c
   WHERE q.person_id = c.person_id AND q.programme_id = c.programme_id AND q.period = c.period;

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
