-- Key rotation: the re-encryption job re-seals customers' personal records under a new data key
-- version. That changes the ciphertext, not the person: the import fingerprint must survive it,
-- or the next import of the same file would count every row as updated. The job marks its
-- transactions with candor.reencrypting; any other change of the sealed record still clears it.
CREATE OR REPLACE FUNCTION candor_customers_clear_fingerprint() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.import_fingerprint IS NOT DISTINCT FROM OLD.import_fingerprint
     AND NEW.personal IS DISTINCT FROM OLD.personal
     AND current_setting('candor.reencrypting', true) IS DISTINCT FROM 'on' THEN
    NEW.import_fingerprint := NULL;
  END IF;
  RETURN NEW;
END $$;
