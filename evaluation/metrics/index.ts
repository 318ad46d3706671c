/** Detection metrics over per-packet scores: ranking (AUC, AP, TPR at FPR) and per-attack delay and recall. */
export { averagePrecision, descendingOrder, rocAuc, rocCurve, tprAtFpr, type OperatingPoint, type RocCurve } from './ranking';
export { detectAttacks, type AttackDetection, type AttackRef, type DetectionOptions } from './detection';
