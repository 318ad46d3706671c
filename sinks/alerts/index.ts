/** Alerts in a shape SIEMs already ingest: EVE-JSON-like lines (see README.md for the mapping). */
export { EveAlertSink, type EveAlertSinkOptions } from './eve-alert-sink';
export { toEveAlert, eveTimestamp, flowId, SIGNATURES, ALERT_CATEGORY, type EveAlert } from './eve-alert';
