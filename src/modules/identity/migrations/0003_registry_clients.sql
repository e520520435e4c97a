-- Machine clients of kind 'registry': other provinces' subsidy platforms asking the national check (TI-06).
ALTER TABLE clients DROP CONSTRAINT clients_kind_check;
ALTER TABLE clients ADD CONSTRAINT clients_kind_check CHECK (kind IN ('merchant', 'platform', 'kiosk', 'verifier', 'registry'));
