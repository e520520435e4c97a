-- People (residents and staff), machine clients, and token revocations.

CREATE TABLE people (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('resident', 'staff')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  -- Identity and phone numbers: AES-256-GCM ciphertext plus a keyed hash for look-ups (never clear).
  id_number_sealed text,
  id_number_hash text UNIQUE,
  phone_sealed text,
  phone_hash text,
  district_code text CHECK (district_code ~ '^\d{6}$'),
  roles text[] NOT NULL DEFAULT '{}',
  hall_id text,
  organisation_id text,
  -- Built-in sign-in: a login name for staff and an scrypt password hash (optional).
  login text UNIQUE,
  password_hash text,
  -- Sign-in through an external OpenID Connect provider.
  oidc_issuer text,
  oidc_subject text,
  demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (oidc_issuer, oidc_subject),
  CHECK ((id_number_sealed IS NULL) = (id_number_hash IS NULL)),
  CHECK ((phone_sealed IS NULL) = (phone_hash IS NULL)),
  CHECK (kind = 'staff' OR id_number_hash IS NOT NULL)
);
CREATE INDEX people_phone_hash ON people (phone_hash);
CREATE INDEX people_demo_resident ON people (created_at, id) WHERE demo AND kind = 'resident';

-- Machine clients (OAuth 2.0 client credentials): merchants' tills, e-commerce platforms, kiosks, verifiers.
CREATE TABLE clients (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind text NOT NULL CHECK (kind IN ('merchant', 'platform', 'kiosk', 'verifier')),
  organisation_id text,
  hall_id text,
  roles text[] NOT NULL,
  secret_hash text NOT NULL,
  secret_hint text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  revoked_at timestamptz
);

-- Revoked tokens: one session (sign-out) or every token of a subject issued before a time.
CREATE TABLE token_revocations (
  id bigserial PRIMARY KEY,
  subject text NOT NULL,
  session_id text,
  not_before timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (session_id IS NOT NULL OR not_before IS NOT NULL)
);
CREATE INDEX token_revocations_created ON token_revocations (id);
