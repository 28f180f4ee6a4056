-- How the organization describes itself (issue 13, item 6): its brand (a logo and a colour), the
-- support contact and the data protection officer that notices name (GDPR Art. 34(2) asks for a
-- contact point). The logo is a PNG, JPEG or WebP image of at most 256 KB, sniffed by its magic
-- bytes in the application (no SVG: it can carry script); the colour is one white text reads on.
-- The DPO's name and contacts are staff data: stored plainly, never logged, audited by field name.
ALTER TABLE organizations
  ADD COLUMN brand_color text CHECK (brand_color ~ '^#[0-9A-F]{6}$'),
  ADD COLUMN logo bytea CHECK (octet_length(logo) <= 262144),
  ADD COLUMN logo_type text CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp')),
  ADD COLUMN logo_updated_at timestamptz,
  ADD COLUMN support_email text CHECK (length(support_email) <= 254),
  ADD COLUMN support_phone text CHECK (support_phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- Opening hours as free text per language: {"en": "Mon–Fri 9–17", "cs": "po–pá 9–17", "ar": "…"}.
  ADD COLUMN support_hours jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(support_hours) = 'object'),
  ADD COLUMN dpo_name text CHECK (length(dpo_name) <= 200),
  ADD COLUMN dpo_email text CHECK (length(dpo_email) <= 254),
  ADD COLUMN dpo_phone text CHECK (dpo_phone ~ '^\+[1-9][0-9]{6,14}$'),
  ADD CONSTRAINT organizations_logo_typed CHECK ((logo IS NULL) = (logo_type IS NULL));
