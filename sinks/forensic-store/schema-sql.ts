/**
 * Tables of the forensic store. Filter columns are real (indexed) columns; the full record is JSON
 * beside them (and the payload sample a BLOB), so a query filters in SQL and returns records unchanged.
 */
export const STORE_SCHEMA_VERSION = 1;

export const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS anomalies (
  id TEXT PRIMARY KEY,
  ts_us INTEGER NOT NULL,
  vm_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  vnet_id TEXT NOT NULL,
  score REAL NOT NULL,
  threshold REAL NOT NULL,
  severity INTEGER NOT NULL,
  top_feature TEXT NOT NULL,
  action TEXT,
  decision_id TEXT,
  incident_id TEXT,
  account_incident_id TEXT,
  src_ip TEXT NOT NULL, dst_ip TEXT NOT NULL, src_port INTEGER NOT NULL, dst_port INTEGER NOT NULL,
  protocol INTEGER NOT NULL, size INTEGER NOT NULL, tcp_flags INTEGER NOT NULL,
  model_version TEXT NOT NULL,
  record TEXT NOT NULL,
  payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS anomalies_vm ON anomalies (vm_id, ts_us);
CREATE INDEX IF NOT EXISTS anomalies_account ON anomalies (account_id, ts_us);
CREATE INDEX IF NOT EXISTS anomalies_ts ON anomalies (ts_us);
CREATE INDEX IF NOT EXISTS anomalies_severity ON anomalies (severity, ts_us);
CREATE INDEX IF NOT EXISTS anomalies_incident ON anomalies (incident_id, ts_us);
CREATE INDEX IF NOT EXISTS anomalies_account_incident ON anomalies (account_incident_id);
CREATE TABLE IF NOT EXISTS decisions (
  id TEXT PRIMARY KEY,
  ts_us INTEGER NOT NULL,
  vm_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  action TEXT NOT NULL,
  previous_action TEXT NOT NULL,
  anomaly_id TEXT NOT NULL,
  incident_id TEXT,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_vm ON decisions (vm_id, ts_us);
CREATE INDEX IF NOT EXISTS decisions_ts ON decisions (ts_us);
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  first_ts_us INTEGER NOT NULL,
  last_ts_us INTEGER NOT NULL,
  count INTEGER NOT NULL,
  max_score REAL NOT NULL,
  max_ratio REAL NOT NULL,
  severity INTEGER NOT NULL,
  actions TEXT NOT NULL,
  top_features TEXT NOT NULL,
  vms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_key ON incidents (scope, key, last_ts_us);
CREATE INDEX IF NOT EXISTS incidents_account ON incidents (account_id, first_ts_us);
CREATE INDEX IF NOT EXISTS incidents_last ON incidents (last_ts_us);
CREATE INDEX IF NOT EXISTS incidents_severity ON incidents (severity);
`;
