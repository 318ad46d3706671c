/**
 * The forensic store (embedded mode): anomalies with their actual and predicted packets, decisions and
 * incidents in one SQLite file; its StreamSink, queries, explain view, pcap export and tables.
 * See README.md.
 */
export { ForensicStore, DEFAULT_INCIDENT_GAP_US, DEFAULT_RETENTION_US, type ForensicStoreOptions, type RetentionResult } from './forensic-store';
export { ForensicStoreSink, type ForensicStoreSinkOptions } from './forensic-store-sink';
export { ForensicStoreReader, type AnomalyQuery, type IncidentQuery, type StoreCounts } from './store-queries';
export { openForReading } from './open-database';
export { ForensicStoreError, ForensicStoreCorruptError } from './forensic-store-error';
export { IncidentCorrelator, type Correlation } from './incident-correlator';
export { incidentId, rankedFeatures, type Incident, type IncidentScope } from './incident';
export { SEVERITIES, isSeverity, severityOf, severityRank, scoreRatio, type Severity } from './severity';
export { explain, formatExplanation, flagNames, protoName, FEATURES, type Explanation, type FeatureExplanation, type FeatureName } from './explain';
export { buildFrame, FrameBuildError, type BuiltFrame } from './packet-frame';
export { exportPcap } from './pcap-export';
export { formatAnomalyTable, formatIncidentTable } from './format-table';
export { attachForensicSinks, ALERTS_FILE, FORENSIC_STORE_FILE, type ForensicOutputs, type ForensicOutputsOptions } from './attach-forensic-sinks';
