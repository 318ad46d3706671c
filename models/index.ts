/**
 * What the rest of Prescient may use from models/: features and scaler, the LSTM definition and
 * training, the model store, backend selection, the stateful step, the micro-batcher and the
 * process-wide shared model (hot swap).
 */
export {
  FEATURE_SPEC,
  FEATURE_COUNT,
  TARGET_NAMES,
  TARGET_COUNT,
  COL,
  TGT,
  writeFeatures,
  writeRecordFeatures,
  writeTargets,
  decodePrediction,
  sequencesFromPackets,
  SequenceBuilder,
  portClass,
  portClassName,
} from './features';
export type { FeatureSpec, FeatureInput, VmSequence, PortClass } from './features';
export { shannonEntropy } from './shannon-entropy';
export { StandardScaler } from './scaler';
export type { ScalerJson } from './scaler';
export { buildLstmModel, compileLstmModel } from './lstm';
export type { LstmHyperParams } from './lstm';
export { trainModel, fingerprintSequences } from './train';
export type { TrainOptions, TrainProgress, TrainMetrics, TrainResult, HyperParams } from './train';
export { collectSequences } from './train-source';
export type { CollectOptions } from './train-source';
export { saveModel, loadModel, readMetadata, modelVersionOf, METADATA_JSON } from './model-store';
export type { ModelMetadata, LoadedModel } from './model-store';
export { fsIOHandler } from './fs-io-handler';
export { selectBackend, activeBackend, BACKEND_CHOICES } from './backend';
export type { BackendChoice } from './backend';
export { StatefulLstm, DEFAULT_CROSSOVER } from './stateful-lstm';
export { SimdLstmKernel, SIMD_HEAD_WIDTH, wasmSimdSupported } from './simd-lstm-kernel';
export type { SimdLstmWeights } from './simd-lstm-kernel';
export type { KernelChoice, StatefulLstmOptions } from './stateful-lstm';
export { MicroBatcher, sharedBatcher, setBatchObserver } from './micro-batcher';
export type { StepRequest, MicroBatcherOptions, BatcherStats, BatchObserver } from './micro-batcher';
export { acquireSharedModel, sharedModelFor, ensureBackend, SharedModel } from './shared-model';
export type { ActiveModel, SharedModelOptions } from './shared-model';
export { defaultModelDir, resolveModelDir, DEFAULT_MODEL_NAME } from './default-model';
export {
  ModelError,
  FeatureSpecMismatchError,
  CorruptWeightsError,
  ModelFormatError,
  EmptyTrainingSetError,
  UnsupportedModelError,
  BackendUnavailableError,
} from './errors';
