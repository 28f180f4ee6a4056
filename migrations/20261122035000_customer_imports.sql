-- Customer imports: progress saved after every committed batch, error reports sealed under the
-- organization's data key and purged after 30 days, column mappings saved for next time.

CREATE TABLE customer_import_mappings (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- target field -> source column (header or JSON key): column names only, never values.
  mapping jsonb NOT NULL CHECK (jsonb_typeof(mapping) = 'object'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, name)
);
SELECT candor_enable_tenancy('customer_import_mappings');
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_import_mappings TO candor_app;

CREATE TABLE imports (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  format text NOT NULL CHECK (format IN ('csv', 'jsonl')),
  encoding text,
  delimiter text,
  -- Counts and byte offset as of the last committed batch: read = inserted + updated + unchanged + rejected.
  rows_read integer NOT NULL DEFAULT 0,
  inserted integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  byte_offset bigint NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  -- Why a whole file was refused: a message code, never file content.
  failure text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK (rows_read = inserted + updated + unchanged + rejected)
);
CREATE INDEX imports_created ON imports (organization_id, created_at);
SELECT candor_enable_tenancy('imports');
GRANT SELECT, INSERT, UPDATE ON imports TO candor_app;

-- One sealed record per batch holding that batch's rejected rows (line, column, reason, raw line).
CREATE TABLE import_errors (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  batch integer NOT NULL,
  report bytea NOT NULL,
  key_version integer NOT NULL CHECK (key_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (import_id, batch)
);
SELECT candor_enable_tenancy('import_errors');
GRANT SELECT, INSERT ON import_errors TO candor_app;

-- The keyed fingerprint (HMAC under a key derived from the organization's index key) of the
-- normalized row last imported: an import of the same row again is "unchanged". Any other
-- change of the sealed fields (an edit through the API) clears it.
ALTER TABLE customers ADD COLUMN import_fingerprint text CHECK (length(import_fingerprint) = 43);

CREATE FUNCTION candor_customers_clear_fingerprint() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.import_fingerprint IS NOT DISTINCT FROM OLD.import_fingerprint
     AND NEW.personal IS DISTINCT FROM OLD.personal THEN
    NEW.import_fingerprint := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER customers_clear_fingerprint BEFORE UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION candor_customers_clear_fingerprint();

-- Error reports are deleted 30 days after they were written, in every organization.
CREATE FUNCTION candor_purge_import_errors() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n integer;
BEGIN
  DELETE FROM import_errors WHERE created_at < now() - interval '30 days';
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION candor_purge_import_errors() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_purge_import_errors() TO candor_app;
