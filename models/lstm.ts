/**
 * The LSTM next-packet model: LSTM(H, returnSequences) over (time, features), then two heads
 * per time step: `regression` (linear: next log1p size, entropy/8, log1p iat, all scaled) and
 * `flags` (sigmoid: the next packet's 8 TCP flag bits).
 * Loss: MSE on the regression head + binary cross-entropy on the flag head (flags are bits,
 * BCE gives them calibrated probabilities and a gradient that does not vanish near 0/1).
 * The recurrent activation is set to sigmoid (tfjs defaults to hardSigmoid) so the stateful
 * step in stateful-lstm.ts can reproduce it exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from './features';

export const LSTM_LAYER = 'lstm';
export const REGRESSION_HEAD = 'regression';
export const FLAGS_HEAD = 'flags';
/** Regression head columns: log1p size, entropy/8, log1p iat (see features.REGRESSION_TARGET_SLOTS). */
export const REGRESSION_OUTPUTS = 3;
export const FLAG_OUTPUTS = 8;

export interface LstmHyperParams {
  hidden: number;
  learningRate: number;
  seed?: number;
}

export function buildLstmModel(hp: LstmHyperParams): tf.LayersModel {
  const seed = hp.seed;
  const init = (s: number | undefined) => (s === undefined ? undefined : tf.initializers.glorotUniform({ seed: s }));
  const input = tf.input({ shape: [null, FEATURE_COUNT], name: 'packets' });
  const seq = tf.layers
    .lstm({
      units: hp.hidden,
      returnSequences: true,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      name: LSTM_LAYER,
      kernelInitializer: init(seed),
      recurrentInitializer: seed === undefined ? undefined : tf.initializers.orthogonal({ seed: seed + 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const regression = tf.layers
    .dense({ units: REGRESSION_OUTPUTS, activation: 'linear', name: REGRESSION_HEAD, kernelInitializer: init(seed === undefined ? undefined : seed + 2) })
    .apply(seq) as tf.SymbolicTensor;
  const flags = tf.layers
    .dense({ units: FLAG_OUTPUTS, activation: 'sigmoid', name: FLAGS_HEAD, kernelInitializer: init(seed === undefined ? undefined : seed + 3) })
    .apply(seq) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [regression, flags], name: 'prescient_lstm' });
  compileLstmModel(model, hp.learningRate);
  return model;
}

export function compileLstmModel(model: tf.LayersModel, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: ['meanSquaredError', 'binaryCrossentropy'],
  });
}
