-- A short code a cashier can type when the QR cannot be scanned: ten digits standing for the same
-- qualification as the signed QR payload, valid as long as it (two minutes).
CREATE TABLE subsidy_typed_codes (
  code text PRIMARY KEY CHECK (code ~ '^\d{10}$'),
  qualification_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX subsidy_typed_codes_expiry ON subsidy_typed_codes (expires_at);
