-- The import and the source line that last wrote or confirmed each customer: a later row of the same
-- import with an external id already seen is a duplicate inside that file, also across batches and
-- across a resume of the import. Ids and line numbers only, never file content.
ALTER TABLE customers
  ADD COLUMN last_import_id uuid,
  ADD COLUMN last_import_line integer CHECK (last_import_line >= 1);
