-- A customer's own webhook endpoint (B2B customers who want notices pushed to them). The URL is
-- personal data and lives in the sealed record (`personal`); this flag says in clear whether one
-- is on record, so the notice fan-out picks the channel without decrypting (as email_index does
-- for e-mail). Existing customers have none.
ALTER TABLE customers ADD COLUMN has_webhook boolean NOT NULL DEFAULT false;
