-- Qualifications, redemptions, activation photos (systems.md S2.4–S2.9).

CREATE TABLE subsidy_qualifications (
  id text PRIMARY KEY,
  coupon_id text NOT NULL UNIQUE REFERENCES subsidy_coupons (id),    -- a coupon is exchanged once
  person_id text NOT NULL,
  programme_id text NOT NULL REFERENCES subsidy_programmes (id),
  category text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('online', 'offline')),    -- TI-16: the coupon's own channel
  platform_id text,                                                  -- TI-23: online names a designated platform
  month text NOT NULL,
  expires_at timestamptz NOT NULL,                                   -- TI-24: end of the month
  status text NOT NULL CHECK (status IN ('active', 'used', 'expired', 'lapsed')),
  -- Keyed hash of the holder's identity number under the national pepper, for the national check (TI-06).
  national_subject text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((channel = 'online') = (platform_id IS NOT NULL))
);
-- TI-07: one subsidised item per category per person: never two active-or-used qualifications.
CREATE UNIQUE INDEX subsidy_qualifications_one_per_category ON subsidy_qualifications (person_id, category)
  WHERE status IN ('active', 'used');
CREATE INDEX subsidy_qualifications_national ON subsidy_qualifications (national_subject, category) WHERE status IN ('active', 'used');
CREATE INDEX subsidy_qualifications_person ON subsidy_qualifications (person_id, created_at);
CREATE INDEX subsidy_qualifications_open ON subsidy_qualifications (expires_at) WHERE status = 'active';

CREATE TABLE subsidy_redemptions (
  id text PRIMARY KEY,
  qualification_id text NOT NULL REFERENCES subsidy_qualifications (id),
  person_id text NOT NULL,
  programme_id text NOT NULL,
  category text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('online', 'offline')),
  seller_kind text NOT NULL CHECK (seller_kind IN ('merchant', 'platform')),
  seller_id text NOT NULL,                     -- merchant organisation or platform id
  recorded_by text NOT NULL,                   -- till, cashier or platform client
  order_id text NOT NULL CHECK (length(order_id) BETWEEN 1 AND 64),
  invoice_number text NOT NULL CHECK (length(invoice_number) BETWEEN 1 AND 64),
  invoice_title_hash text NOT NULL,            -- keyed hash of the title (the holder's name), for fraud patterns
  invoice_amount numeric(12, 2) NOT NULL CHECK (invoice_amount > 0),
  price numeric(12, 2) NOT NULL CHECK (price > 0),
  subsidy numeric(12, 2) NOT NULL CHECK (subsidy >= 0 AND subsidy <= price),
  payable numeric(12, 2) NOT NULL CHECK (payable >= 0),
  serial text CHECK (serial IS NULL OR length(serial) BETWEEN 1 AND 64),
  holder_district text,
  month text NOT NULL,                         -- purchase month (Asia/Shanghai)
  redeemed_at timestamptz NOT NULL,
  delivery_due date NOT NULL,                  -- TI-32/TI-33: the 10th / 7th of the next month
  delivered_at timestamptz,
  return_cutoff date NOT NULL,                 -- TI-38/TI-39: the 18th / 15th of the next month
  status text NOT NULL CHECK (status IN ('paid', 'delivered', 'returned')),
  activation_photo text NOT NULL DEFAULT 'not_required' CHECK (activation_photo IN ('not_required', 'missing', 'pending', 'approved', 'rejected')),
  returned_at timestamptz,
  return_reason text CHECK (return_reason IN ('quality', 'late_delivery', 'other')),
  refund_amount numeric(12, 2),
  CHECK (payable = price - subsidy),
  UNIQUE (seller_id, order_id),                -- TI-29: one order per item
  UNIQUE (invoice_number)                      -- TI-29: one invoice per item
);
-- TI-29: one live redemption per qualification (a returned one may be followed by a new one).
CREATE UNIQUE INDEX subsidy_redemptions_one_per_qualification ON subsidy_redemptions (qualification_id) WHERE status <> 'returned';
CREATE INDEX subsidy_redemptions_month ON subsidy_redemptions (month, category);
CREATE INDEX subsidy_redemptions_seller ON subsidy_redemptions (seller_id, redeemed_at);
CREATE INDEX subsidy_redemptions_serial ON subsidy_redemptions (serial) WHERE serial IS NOT NULL;
CREATE INDEX subsidy_redemptions_undelivered ON subsidy_redemptions (delivery_due) WHERE status = 'paid';

-- TI-34–TI-37: the activation photo of a digital product, reviewed by administrators.
CREATE TABLE subsidy_activation_photos (
  id text PRIMARY KEY,
  redemption_id text NOT NULL REFERENCES subsidy_redemptions (id),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes bytea NOT NULL,
  size_bytes int NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 5242880),
  sha256 text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  reviewed_by text,
  reviewed_at timestamptz,
  reason text
);
CREATE INDEX subsidy_activation_photos_queue ON subsidy_activation_photos (uploaded_at) WHERE status = 'pending';
CREATE INDEX subsidy_activation_photos_redemption ON subsidy_activation_photos (redemption_id);
