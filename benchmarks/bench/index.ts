/** `prescient bench`: open-loop per-packet latency benchmark, embedded and over Kafka (see run-bench.ts). */
export { benchConfigSchema, loadBenchConfig, parseBenchConfig, checkFeasible, mergeFlags, MAX_OFFERED_RATE, type BenchConfig, type BenchConfigInput, type BenchFlags, type BenchVariant, type TrafficConfig } from './bench-config';
export { BenchConfigError, BenchRunError } from './bench-errors';
export { BenchClock, type ClockAnchor } from './bench-clock';
export { OpenLoopSchedule } from './open-loop-schedule';
export { OpenLoopSource, type OpenLoopSourceOptions } from './open-loop-source';
export { LatencyRecorder, newLatencyHistogram, encodeHistogram, decodeHistogram } from './latency-recorder';
export { judgeKeepUp, summarize, toStepResult, PERCENTILE_CURVE, type LatencySummaryUs, type StepMeasurement, type StepResult } from './step-result';
export { runEmbeddedStep, type EmbeddedStepInput } from './embedded-runner';
export { planKafkaBench, runKafkaSteps, pinPlan, type KafkaBenchPlan, type PinPlan } from './kafka-runner';
export { buildComparisons, highestSustained, type BenchReport, type Comparison } from './bench-report';
export { renderMarkdown, renderCpuSection, writeReport, type WrittenReport } from './report-writer';
export { collectProvenance, type Provenance } from './provenance';
export { BenchProgress } from './progress';
export { runBench, defaultResultsDir, type BenchRunOptions, type BenchRunResult } from './run-bench';
export { parseProcStat, parseMachineStat, readProcStat, readMachineTicks, clockTicksPerSec, ProcStatError, type ProcStat, type MachineTicks } from './proc-cpu';
export { takeCpuSample, cpuBetween, type CpuComponentSpec, type CpuSample, type ComponentCpu, type StepCpu } from './cpu-accounting';
export { startBenchServices, readPidFile, type BenchServices } from './bench-services';
export { profileAreas, renderProfileAreas, WORKER_AREAS, type CpuProfile, type AreaRule, type ProfileAreas } from './cpu-profile-areas';
