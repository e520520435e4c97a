-- Deferred chaining for the busiest writers (docs/adr/0007-deferred-audit-chaining.md).
--
-- Every append locks the chain's head until its transaction commits, so two transactions that
-- append never overlap their commits: the second waits for the first's WAL flush. For the batch
-- functions that write hundreds of tickets or coupons a second, that wait was the largest single
-- cost. A function marked with `SET haihe.audit_deferred = on` now writes its entries to
-- audit_pending instead, in its own transaction (so an entry still commits or rolls back with the
-- change it describes, and an acknowledged change never lacks its entry), without touching the
-- head. audit_chain_pending() then moves pending entries into the chain, oldest first, and hashes
-- them exactly like any other append. Each server process runs it a few times a second, and every
-- reader of the log (the audit page, `audit verify`) runs it first, so nobody ever reads a log that
-- lacks a committed entry.

CREATE TABLE audit_pending (
  id bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor text NOT NULL,
  actor_role text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  summary jsonb NOT NULL,
  request_id text
);

-- Pending entries are never changed, and only the chaining function removes them (it sets
-- haihe.audit_chaining for its own duration).
CREATE FUNCTION audit_pending_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('haihe.audit_chaining', true) = 'on' THEN RETURN OLD; END IF;
  RAISE EXCEPTION 'audit_pending entries are only moved into the chain' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_pending_no_change BEFORE UPDATE OR DELETE ON audit_pending
  FOR EACH ROW EXECUTE FUNCTION audit_pending_refuse_change();
CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending
  FOR EACH STATEMENT EXECUTE FUNCTION audit_pending_refuse_change();

-- audit_append as in 0002, except in a function marked `SET haihe.audit_deferred = on`.
CREATE OR REPLACE FUNCTION audit_append(p_occurred_at timestamptz[], p_actor text[], p_actor_role text[], p_action text[],
                                        p_entity_type text[], p_entity_id text[], p_summary jsonb[], p_request_id text[])
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_position bigint;
  v_hash text;
  v_next text;
BEGIN
  IF current_setting('haihe.audit_deferred', true) = 'on' THEN
    -- No head lock: the entries wait in audit_pending (in this transaction) for audit_chain_pending.
    INSERT INTO audit_pending (occurred_at, actor, actor_role, action, entity_type, entity_id, summary, request_id)
    SELECT * FROM unnest(p_occurred_at, p_actor, p_actor_role, p_action, p_entity_type, p_entity_id, p_summary, p_request_id);
    RETURN NULL;
  END IF;
  -- The head row lock keeps positions gap-free and the chain unforked across processes.
  SELECT h.position, h.hash INTO v_position, v_hash FROM audit_head h WHERE h.id = 1 FOR UPDATE;
  FOR i IN 1 .. coalesce(array_length(p_actor, 1), 0) LOOP
    v_position := v_position + 1;
    v_next := encode(sha256(convert_to(v_hash || E'\n' || audit_material(v_position, p_occurred_at[i], p_actor[i], p_actor_role[i], p_action[i],
                                                                           p_entity_type[i], p_entity_id[i], p_summary[i], p_request_id[i]), 'UTF8')), 'hex');
    INSERT INTO audit_log (position, occurred_at, actor, actor_role, action, entity_type, entity_id, summary, request_id, prev_hash, hash, hash_version)
    VALUES (v_position, p_occurred_at[i], p_actor[i], p_actor_role[i], p_action[i], p_entity_type[i], p_entity_id[i], p_summary[i], p_request_id[i], v_hash, v_next, 2);
    v_hash := v_next;
  END LOOP;
  UPDATE audit_head SET position = v_position, hash = v_hash WHERE id = 1;
  RETURN v_position;
END;
$$;

-- Moves up to p_limit committed pending entries into the chain, oldest first; returns how many.
-- The head is locked before the entries are taken, so concurrent callers chain one after another
-- and each takes what the one before left.
CREATE FUNCTION audit_chain_pending(p_limit int) RETURNS int
LANGUAGE plpgsql SET haihe.audit_deferred = 'off' SET haihe.audit_chaining = 'on' AS $$
DECLARE
  v_occurred_at timestamptz[];
  v_actor text[];
  v_actor_role text[];
  v_action text[];
  v_entity_type text[];
  v_entity_id text[];
  v_summary jsonb[];
  v_request_id text[];
BEGIN
  -- Nothing waiting (the usual case between bursts): no lock, no write.
  IF NOT EXISTS (SELECT 1 FROM audit_pending) THEN RETURN 0; END IF;
  PERFORM 1 FROM audit_head h WHERE h.id = 1 FOR UPDATE;
  WITH moved AS (
    DELETE FROM audit_pending p WHERE p.id IN (SELECT q.id FROM audit_pending q ORDER BY q.id LIMIT p_limit) RETURNING p.*
  )
  SELECT array_agg(m.occurred_at ORDER BY m.id), array_agg(m.actor ORDER BY m.id), array_agg(m.actor_role ORDER BY m.id),
         array_agg(m.action ORDER BY m.id), array_agg(m.entity_type ORDER BY m.id), array_agg(m.entity_id ORDER BY m.id),
         array_agg(m.summary ORDER BY m.id), array_agg(m.request_id ORDER BY m.id)
    INTO v_occurred_at, v_actor, v_actor_role, v_action, v_entity_type, v_entity_id, v_summary, v_request_id
    FROM moved m;
  IF v_actor IS NULL THEN RETURN 0; END IF;
  PERFORM audit_append(v_occurred_at, v_actor, v_actor_role, v_action, v_entity_type, v_entity_id, v_summary, v_request_id);
  RETURN array_length(v_actor, 1);
END;
$$;
