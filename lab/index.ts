/** The lab: namespaces as VMs (deploy/lab/lab.sh), its schedule, labels, and the `prescient lab` run. */
export { LabError } from './lab-error';
export { LAB_ATTACK_KINDS, LAB_KNOWN_PEER_KINDS, LAB_BENIGN_PEERS, KNOWN_PEER_DEFAULT_TARGET, parseLabSchedule, loadLabSchedule, type LabAttack, type LabAttackKind, type LabSchedule } from './lab-schedule';
export { LabScript, defaultLabDir, type LabCommandResult } from './lab-script';
export { DEFAULT_TARGETS, KNOWN_PEER_PORTS, labelsFromRuns, countLabelPackets, readLabVms, type AttackRun, type LabVm } from './lab-labels';
export { runLab, readBenignOutcomes, type RunLabOptions, type LabResult, type LabProgress, type LabPhase } from './run-lab';
