/** `prescient validate FILE`: checks a topology file (and the policies and operators it names) without running it. */
import { loadTopologyFile, planTopology } from '../../topology';

export function validateCommand(file: string): string {
  const topology = loadTopologyFile(file);
  // Planning instantiates nothing but resolves every operator, so a missing module shows up here too.
  const plan = planTopology(topology);
  return `${file}: ok (topology '${topology.name}', source ${topology.source.kind}, ${plan.partitions} partitions, operators ${topology.operators.map((o) => o.name).join(' -> ')}, sinks ${topology.sinks.map((s) => s.stream).join(', ')})`;
}
