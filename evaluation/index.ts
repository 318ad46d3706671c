/**
 * Evaluation of detection on labelled traffic: per-packet scores from a topology run, ranking
 * metrics (ROC AUC, average precision, TPR at FPR), per-attack delay and recall, charts, and the
 * mixing of real attack captures into benign traffic. Sits above topology/ (it runs topologies);
 * cli/ and benchmarks/ use it.
 */
export { averagePrecision, descendingOrder, detectAttacks, rocAuc, rocCurve, tprAtFpr, type AttackDetection, type AttackRef, type DetectionOptions, type OperatingPoint, type RocCurve } from './metrics';
export { BENIGN, ScoreTable, scoreColumns, type ScoreColumns } from './score-table';
export { collectScores, labelerFor, type CollectOptions, type CollectedScores, type PacketLabeler } from './collect-scores';
export { evaluateScores, formatReport, REPORT_FPRS, type AfterWarmupMetrics, type EvalReport, type EvaluateOptions, type EvaluateResult, type RankingMetrics, type VerdictCounts } from './eval-report';
export { runEvaluation, type EvaluationOutcome, type EvaluationRun } from './run-evaluation';
export { evaluationAttackPlan, parseAttackKinds, KNOWN_PEER_KINDS } from './scenario';
export { EvaluationError } from './evaluation-error';
export { bucketScores, ChartRenderError, renderVegaLiteSvg, rocSpec, sampleRoc, scoreTimelineSpec } from './charts';
export { loadVmAddress, MixError, mixCapture, rewriteFrame, type MixOptions, type MixResult, type VmAddress } from './mix';
