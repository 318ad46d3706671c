/**
 * Standard scaler (zero mean, unit variance per feature column), fitted on the training rows and
 * saved in metadata.json so inference scales exactly as training did. Applied in place.
 */
import { ModelFormatError } from './errors';

export interface ScalerJson {
  mean: number[];
  std: number[];
}

/** Columns with (near) zero variance keep std 1, so a constant one-hot column cannot blow up. */
const MIN_STD = 1e-6;

export class StandardScaler {
  constructor(readonly mean: Float32Array, readonly std: Float32Array) {}

  get width(): number {
    return this.mean.length;
  }

  /** Fits on row-major matrices of `width` columns (all VMs' rows together). */
  static fit(matrices: ReadonlyArray<{ rows: Float32Array; length: number }>, width: number): StandardScaler {
    const sum = new Float64Array(width);
    const sumSq = new Float64Array(width);
    let n = 0;
    for (const m of matrices) {
      for (let r = 0; r < m.length; r++) {
        const base = r * width;
        for (let j = 0; j < width; j++) {
          const v = m.rows[base + j];
          sum[j] += v;
          sumSq[j] += v * v;
        }
      }
      n += m.length;
    }
    const mean = new Float32Array(width);
    const std = new Float32Array(width);
    for (let j = 0; j < width; j++) {
      const mu = n > 0 ? sum[j] / n : 0;
      const variance = n > 0 ? Math.max(0, sumSq[j] / n - mu * mu) : 0;
      const sd = Math.sqrt(variance);
      mean[j] = mu;
      std[j] = sd < MIN_STD ? 1 : sd;
    }
    return new StandardScaler(mean, std);
  }

  /** Scales row[offset..offset+width) in place. */
  transformRow(row: Float32Array, offset: number): void {
    const { mean, std } = this;
    for (let j = 0; j < mean.length; j++) row[offset + j] = (row[offset + j] - mean[j]) / std[j];
  }

  /** Scales `count` consecutive rows in place. */
  transformRows(rows: Float32Array, count: number): void {
    for (let r = 0; r < count; r++) this.transformRow(rows, r * this.mean.length);
  }

  /** Scales one value of column `col`. */
  scale(col: number, v: number): number {
    return (v - this.mean[col]) / this.std[col];
  }

  /** Inverse of `scale` for column `col`. */
  unscale(col: number, v: number): number {
    return v * this.std[col] + this.mean[col];
  }

  toJSON(): ScalerJson {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  static fromJSON(json: unknown, file: string, width: number): StandardScaler {
    const j = json as Partial<ScalerJson> | null;
    if (j === null || typeof j !== 'object' || !Array.isArray(j.mean) || !Array.isArray(j.std)) {
      throw new ModelFormatError(file, 'scaler must be { mean: number[], std: number[] }');
    }
    if (j.mean.length !== width || j.std.length !== width) {
      throw new ModelFormatError(file, `scaler has ${j.mean.length}/${j.std.length} columns, expected ${width}`);
    }
    if (!j.mean.every(Number.isFinite) || !j.std.every((s) => Number.isFinite(s) && s > 0)) {
      throw new ModelFormatError(file, 'scaler holds a non-finite mean or a non-positive std');
    }
    return new StandardScaler(Float32Array.from(j.mean), Float32Array.from(j.std));
  }
}
