-- subsidy_claim_batch, second form (docs/adr/0005-batched-claims.md): no temporary table, fewer
-- statements, and the release's row — the one row every batch of a flash release must lock — is
-- locked only for the last, short part of the batch, so several batches do their main work at once.
--
-- Order of work in one batch (one transaction, one round trip):
--   1. lock the people's existing quota rows, in key order, as they are read;
--   2. decide every request that does not depend on stock (unknown release, replay, not open,
--      closed, monthly and yearly quota, TI-17, TI-19, TI-20) from what is now locked;
--   3. write the coupons and count them in the quota rows for every remaining request, as if the
--      stock sufficed (new quota rows are inserted with their final counts);
--   4. lock the releases, in id order, and grant stock first come first served; the requests beyond
--      the stock become sold_out and their coupons and counts from step 3 are taken back (only the
--      batch that sells a release out does this);
--   5. append the batch's audit entry (locks the audit head) and answer.
-- Locks are taken in one global order — quota rows, releases, audit head — so batches never
-- deadlock. The CHECK constraints stay the last word: a request that raced itself on another
-- process (a new quota row or the same idempotency key inserted meanwhile) fails the batch, which the
-- caller splits and retries.
--
-- The batch is small and the tables are large, and at a release's opening the tables' statistics are
-- stale (they grow faster than autovacuum analyses them), so the function plans with nested loops
-- over its input and index look-ups only (the SET clauses below), never a scan of a whole table.
CREATE OR REPLACE FUNCTION subsidy_claim_batch(
  p_person text[], p_release text[], p_key text[], p_district text[], p_coupon text[], p_request text[], p_now timestamptz
) RETURNS TABLE (idx int, outcome text, coupon_id text, release_id text, claimed_at timestamptz, expires_at timestamptz, remaining int)
LANGUAGE plpgsql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
  v_count int := coalesce(array_length(p_person, 1), 0);
  v_outcome text[];
  v_programme text[];
  v_month text[];
  v_channel text[];
  v_expires timestamptz[];
  v_existing text[];
  v_existing_claimed timestamptz[];
  v_existing_expires timestamptz[];
  v_existing_release text[];
  v_short boolean;
  v_row record;
BEGIN
  IF v_count = 0 THEN RETURN; END IF;

  -- 1.-2. The people's quota rows are locked as they are read, in key order (the requests are sorted
  -- by person, programme and month before the look-ups), and everything that does not depend on
  -- stock is decided. Idempotent replays: the same person and key already claimed, so the key's first
  -- answer stands. TI-17: issued from the opening to the end of the month. TI-19, TI-20: the k-th
  -- request of a person for a programme in this batch needs k free places.
  SELECT array_agg(d.decided ORDER BY d.i), array_agg(d.programme_id ORDER BY d.i), array_agg(d.month ORDER BY d.i),
         array_agg(d.channel ORDER BY d.i), array_agg(d.closes_at ORDER BY d.i), array_agg(d.existing ORDER BY d.i),
         array_agg(d.existing_claimed ORDER BY d.i), array_agg(d.existing_expires ORDER BY d.i), array_agg(d.existing_release ORDER BY d.i)
    INTO v_outcome, v_programme, v_month, v_channel, v_expires, v_existing, v_existing_claimed, v_existing_expires, v_existing_release
    FROM (
      SELECT e.i, e.programme_id, e.month, e.channel, e.closes_at, e.existing, e.existing_claimed, e.existing_expires, e.existing_release,
             CASE WHEN e.early IS NOT NULL THEN e.early
                  WHEN e.month_used + e.k > e.month_quota THEN 'quota_month'
                  WHEN e.year_used + e.k > e.year_quota THEN 'quota_year' END AS decided
        FROM (
          SELECT s.*, CASE WHEN s.early IS NULL THEN row_number() OVER (PARTITION BY s.early IS NULL, s.person, s.programme_id ORDER BY s.i) END AS k
            FROM (
              SELECT t.i, t.person, t.programme_id, t.month, t.channel, t.closes_at,
                     c.id AS existing, c.claimed_at AS existing_claimed, c.expires_at AS existing_expires, c.release_id AS existing_release,
                     CASE WHEN q.month = t.month THEN q.month_used ELSE 0 END AS month_used,
                     coalesce(q.year_used, 0) AS year_used, g.month_quota, g.year_quota,
                     CASE WHEN t.id IS NULL THEN 'unknown_release'
                          WHEN c.id IS NOT NULL THEN CASE WHEN c.release_id = t.release THEN 'replayed' ELSE 'key_reused' END
                          WHEN p_now < t.opens_at THEN 'not_open'
                          WHEN p_now >= t.closes_at THEN 'closed' END AS early
                FROM (SELECT u.person, u.release, u.key, u.i, r.id, r.programme_id, r.month, r.channel, r.opens_at, r.closes_at
                        FROM unnest(p_person, p_release, p_key) WITH ORDINALITY AS u(person, release, key, i)
                        LEFT JOIN subsidy_releases r ON r.id = u.release
                       ORDER BY u.person, r.programme_id, r.month, u.i) t
                LEFT JOIN subsidy_programmes g ON g.id = t.programme_id
                LEFT JOIN LATERAL (SELECT q.month, q.month_used, q.year_used FROM subsidy_quota q
                                    WHERE q.person_id = t.person AND q.programme_id = t.programme_id AND q.year = left(t.month, 4)
                                      FOR UPDATE OFFSET 0) q ON true
                LEFT JOIN LATERAL (SELECT c.id, c.release_id, c.claimed_at, c.expires_at FROM subsidy_coupons c
                                    WHERE t.key IS NOT NULL AND c.person_id = t.person AND c.idempotency_key = t.key OFFSET 0) c ON true
            ) s
        ) e
    ) d;

  -- 3. Coupons and quota counts for every request still open, before the release is locked.
  WITH open AS (
    SELECT t.*
      FROM unnest(p_person, p_release, p_key, p_district, p_coupon, v_outcome, v_programme, v_month, v_channel, v_expires)
           AS t(person, release, key, district, coupon, decided, programme_id, month, channel, expires_at)
     WHERE t.decided IS NULL),
  coupons AS (
    INSERT INTO subsidy_coupons (id, release_id, person_id, programme_id, channel, month, claimed_at, expires_at, idempotency_key, claim_district)
    SELECT o.coupon, o.release, o.person, o.programme_id, o.channel, o.month, p_now, o.expires_at, o.key, o.district FROM open o)
  INSERT INTO subsidy_quota AS q (person_id, programme_id, year, month, month_used, year_used, month_quota, year_quota)
  SELECT o.person, o.programme_id, left(o.month, 4), o.month, count(*), count(*), g.month_quota, g.year_quota
    FROM open o JOIN subsidy_programmes g ON g.id = o.programme_id
   GROUP BY o.person, o.programme_id, o.month, g.month_quota, g.year_quota
   ORDER BY 1, 2, 3
  ON CONFLICT (person_id, programme_id, year) DO UPDATE
    SET month_used = CASE WHEN q.month = EXCLUDED.month THEN q.month_used + EXCLUDED.month_used ELSE EXCLUDED.month_used END,
        month = EXCLUDED.month, year_used = q.year_used + EXCLUDED.year_used,
        month_quota = EXCLUDED.month_quota, year_quota = EXCLUDED.year_quota;

  -- 4. The releases, locked last and in id order; stock goes first come, first served (TI-17).
  SELECT array_agg(f.final ORDER BY f.i), bool_or(f.final = 'sold_out')
    INTO v_outcome, v_short
    FROM (
      SELECT o.i, coalesce(o.decided, CASE WHEN o.n <= l.left_over THEN 'claimed' ELSE 'sold_out' END) AS final
        FROM (
          SELECT t.*, CASE WHEN t.decided IS NULL THEN row_number() OVER (PARTITION BY t.decided IS NULL, t.release ORDER BY t.i) END AS n
            FROM unnest(p_release, v_outcome) WITH ORDINALITY AS t(release, decided, i)
        ) o
        LEFT JOIN (
          SELECT r.id, r.stock - r.issued AS left_over FROM subsidy_releases r
           WHERE r.id IN (SELECT u.release FROM unnest(p_release, v_outcome) AS u(release, decided) WHERE u.decided IS NULL)
           ORDER BY r.id FOR UPDATE
        ) l ON l.id = o.release
    ) f;

  UPDATE subsidy_releases r SET issued = r.issued + c.n
    FROM (SELECT t.release, count(*)::int AS n FROM unnest(p_release, v_outcome) AS t(release, final) WHERE t.final = 'claimed' GROUP BY 1) c
   WHERE r.id = c.release;

  IF v_short THEN
    -- Only the batch that sells a release out: its requests beyond the stock get nothing back but
    -- their place in the quota.
    DELETE FROM subsidy_coupons c
     WHERE c.id = ANY (ARRAY(SELECT t.coupon FROM unnest(p_coupon, v_outcome) AS t(coupon, final) WHERE t.final = 'sold_out'));
    FOR v_row IN
      SELECT t.person, t.programme_id, left(t.month, 4) AS year, count(*)::int AS n
        FROM unnest(p_person, v_programme, v_month, v_outcome) AS t(person, programme_id, month, final)
       WHERE t.final = 'sold_out' GROUP BY 1, 2, 3
    LOOP
      UPDATE subsidy_quota q SET month_used = q.month_used - v_row.n, year_used = q.year_used - v_row.n
       WHERE q.person_id = v_row.person AND q.programme_id = v_row.programme_id AND q.year = v_row.year;
    END LOOP;
  END IF;

  -- 5. One audit entry for the batch lists every coupon issued and to whom, chained like any other.
  PERFORM audit_append(ARRAY[p_now], ARRAY['system'], ARRAY['subsidies.claim-line'], ARRAY['subsidies.coupons.claim'], ARRAY['subsidy_release'],
                       ARRAY[string_agg(DISTINCT t.release, ',' ORDER BY t.release)],
                       ARRAY[jsonb_build_object('count', count(*), 'coupons', to_jsonb(array_agg(ARRAY[t.coupon, t.person, t.release] ORDER BY t.i)),
                                                'requestIds', to_jsonb(array_agg(t.request ORDER BY t.i)))],
                       ARRAY[NULL::text])
     FROM unnest(p_person, p_release, p_coupon, p_request, v_outcome) WITH ORDINALITY AS t(person, release, coupon, request, final, i)
    WHERE t.final = 'claimed' HAVING count(*) > 0;

  RETURN QUERY
  SELECT t.i::int, t.final,
         coalesce(t.existing, CASE WHEN t.final = 'claimed' THEN t.coupon END),
         coalesce(t.existing_release, t.release),
         CASE WHEN t.final = 'claimed' THEN p_now ELSE t.existing_claimed END,
         CASE WHEN t.final = 'claimed' THEN t.expires_at ELSE t.existing_expires END,
         r.stock - r.issued
    FROM unnest(p_release, p_coupon, v_outcome, v_existing, v_existing_claimed, v_existing_expires, v_existing_release, v_expires)
         WITH ORDINALITY AS t(release, coupon, final, existing, existing_claimed, existing_expires, existing_release, expires_at, i)
    LEFT JOIN subsidy_releases r ON r.id = t.release
   ORDER BY t.i;
END;
$$;
