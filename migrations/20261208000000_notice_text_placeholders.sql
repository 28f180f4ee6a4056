-- Notice texts are staff text with {placeholders}, no longer ICU MessageFormat (issue 13, item 5).
-- Texts written before are turned into the new form, as far as what Candor's own templates and
-- editor produced: {d, date, long} becomes {d}; a plural over the categories or the affected
-- count becomes the system's phrase for it; ICU quoting is undone ('{' becomes {, '' becomes ').
-- A version whose rendering then lacks the verification code cannot be approved (notice-render.ts).
CREATE FUNCTION candor_icu_to_placeholders(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(
    regexp_replace(
      regexp_replace(
        regexp_replace(
          regexp_replace(
            regexp_replace($1, '\{(\w+), *(date|time)(, *\w+)?\}', '{\1}', 'g'),
            '\{count, *plural,(?:[^{}]|\{[^{}]*\})*\}', '{categoryCount}', 'g'),
          '\{affectedCount, *plural,(?:[^{}]|\{[^{}]*\})*\}', '{affectedCount}', 'g'),
        '\{count\}', '{categoryCount}', 'g'),
      '''([{}#|][^'']*)''', '\1', 'g'),
    '''''', '''')
$$;

UPDATE notice_versions SET content = candor_icu_to_placeholders(content::text)::jsonb;
DROP FUNCTION candor_icu_to_placeholders(text);

COMMENT ON COLUMN notice_versions.content IS
  'Per language: subject, sms and parts; staff text whose only syntax is {placeholder} (notice-model.ts).';
