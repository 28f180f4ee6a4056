-- Affected customers of an incident: which customers an incident touched, which of their data
-- categories, and how they were marked (a list of external ids or e-mail addresses, a segment of
-- clear fields, or all customers). Counts of these rows per jurisdiction replace the incident's
-- hand-entered estimates (incident_jurisdictions.counted_affected). A restricted incident's
-- affected customers stay with its members; erasing a customer or an incident erases the rows.
CREATE TABLE incident_affected_customers (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  data_categories text[] NOT NULL CHECK (cardinality(data_categories) >= 1 AND data_categories <@ ARRAY[
    'contact_details', 'payment_card', 'credentials', 'government_id', 'health', 'financial', 'location', 'other']),
  source text NOT NULL CHECK (source IN ('file', 'segment', 'all')),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, customer_id)
);
CREATE INDEX incident_affected_customers_customer ON incident_affected_customers (customer_id);
SELECT candor_enable_tenancy('incident_affected_customers');
SELECT candor_enable_incident_visibility('incident_affected_customers');
GRANT SELECT, INSERT, UPDATE, DELETE ON incident_affected_customers TO candor_app;
