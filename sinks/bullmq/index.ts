/** BullMQ mitigation queue: the sink the workers write decisions to, and the enforce side. */
export { MitigationQueueSink, type MitigationQueueSinkOptions, type MitigationQueueSinkStats } from './mitigation-queue-sink';
export { LogEnforcer, WebhookEnforcer, WebhookError, type Enforcer, type WebhookEnforcerOptions } from './enforcer';
export { startEnforceWorker, type EnforceWorkerOptions } from './enforce-worker';
export { bullConnection, mitigationJobId, MITIGATION_QUEUE } from './redis-connection';
