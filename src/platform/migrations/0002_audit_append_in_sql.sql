-- Audit entries appended by one database function, so a state change and its audit entry can be
-- written in one statement (no round trips to read the head). Entries written this way carry
-- hash_version 2: the hash covers audit_material(), a text form both the database and
-- `audit verify` compute from the stored columns. Earlier entries (version 1) keep their hashes.
ALTER TABLE audit_log ADD COLUMN hash_version smallint NOT NULL DEFAULT 1 CHECK (hash_version IN (1, 2));

CREATE FUNCTION audit_material(p_position bigint, p_occurred_at timestamptz, p_actor text, p_actor_role text, p_action text,
                               p_entity_type text, p_entity_id text, p_summary jsonb, p_request_id text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(E'\x1f', p_position::text, to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   p_actor, coalesce(p_actor_role, ''), p_action, p_entity_type, p_entity_id, p_summary::text, coalesce(p_request_id, ''))
$$;

CREATE FUNCTION audit_append(p_occurred_at timestamptz[], p_actor text[], p_actor_role text[], p_action text[],
                             p_entity_type text[], p_entity_id text[], p_summary jsonb[], p_request_id text[])
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_position bigint;
  v_hash text;
  v_next text;
BEGIN
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
