-- Platform tables: audit log, idempotency keys, scheduled jobs, working-day calendar.

-- Append-only audit log of every state change, chained by hashes (see src/platform/audit.ts).
CREATE TABLE audit_log (
  position bigint PRIMARY KEY CHECK (position > 0),
  occurred_at timestamptz NOT NULL,
  actor text NOT NULL,
  actor_role text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text NOT NULL,
  summary jsonb NOT NULL,
  request_id text,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);

-- The chain's head: one row, locked by every append so positions have no gaps and no forks.
CREATE TABLE audit_head (
  id int PRIMARY KEY CHECK (id = 1),
  position bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, position, hash) VALUES (1, 0, 'genesis');

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Stored responses for Idempotency-Key (src/platform/http/idempotency.ts).
CREATE TABLE idempotency_keys (
  principal text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status int,
  response_content_type text,
  response_body text,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Scheduled work, each run claimed by one process with FOR UPDATE SKIP LOCKED (src/platform/jobs.ts).
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  unique_key text UNIQUE,
  run_at timestamptz NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts int NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  locked_by text,
  locked_until timestamptz,
  last_error text,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('pending', 'running');

-- Official working-day calendar, loaded per year from data files or by an administrator.
CREATE TABLE calendar_years (
  year int PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  source text NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE calendar_days (
  day date PRIMARY KEY,
  year int NOT NULL REFERENCES calendar_years (year) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name text NOT NULL
);

-- Small platform facts (for example, when demo data were loaded).
CREATE TABLE platform_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
