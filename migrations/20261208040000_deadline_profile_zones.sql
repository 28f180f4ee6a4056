-- The UAE free zones with a data protection law of their own (the DIFC and the ADGM): an
-- organization established there is bound by that law wherever the people are, and not by the
-- UAE federal law. Their clocks carry the zone as jurisdiction ('AE-DIFC'), which has no
-- ISO 3166-2 code, so the clocks' jurisdiction check admits these two names as well.
ALTER TABLE deadline_profiles
  ADD COLUMN established_in text[] NOT NULL DEFAULT '{}'
    CHECK (established_in <@ ARRAY['AE-DIFC', 'AE-ADGM']::text[]);

ALTER TABLE deadline_clocks DROP CONSTRAINT deadline_clocks_jurisdiction_check;
ALTER TABLE deadline_clocks ADD CONSTRAINT deadline_clocks_jurisdiction_check
  CHECK (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$' OR jurisdiction IN ('AE-DIFC', 'AE-ADGM'));
