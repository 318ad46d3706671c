/**
 * retrain/: the BullMQ retraining job (queue `retrain`) and the distribution of new model versions
 * to running topologies (Redis pub/sub + a stored latest version per target, hot swap). Sits between
 * cli/ and models/sources/sinks: cli -> retrain -> models, sources, sinks/bullmq.
 */
export { RETRAIN_QUEUE, retrainJobSchema, parseRetrainJob, type RetrainJob, type RetrainJobInput, type RetrainResult } from './retrain-job';
export { RetrainError, RetrainJobDataError, ModelSwapError } from './retrain-error';
export { runRetrain, type RunRetrainOptions } from './run-retrain';
export { enqueueRetrain, type EnqueueRetrainOptions, type EnqueuedRetrain } from './retrain-queue';
export { startRetrainWorker, type RetrainWorker, type RetrainWorkerOptions } from './retrain-worker';
export {
  MODEL_UPDATES_CHANNEL, latestModelKey, publishModelUpdate, parseModelUpdate, ModelSwapper, ModelUpdateListener,
  type ModelUpdate, type ModelUpdateListenerOptions, type SwapOutcome, type UpdateLog,
} from './model-updates';
