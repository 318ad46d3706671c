/** Creates Prescient's topics with the partition counts a topology asks for (missing ones only). */
import type { KafkaClient, TopicSpec } from './kafka-client';

/** Default layout: `packets` is the one whose partitions are the tasks; outputs follow it. */
export function prescientTopicSpecs(packetPartitions: number, outputPartitions = packetPartitions): TopicSpec[] {
  return [
    { topic: 'packets', partitions: packetPartitions },
    { topic: 'anomalies', partitions: outputPartitions },
    { topic: 'mitigations', partitions: outputPartitions },
    { topic: 'forensics', partitions: outputPartitions },
    { topic: 'predictions', partitions: outputPartitions },
    { topic: 'dead-letters', partitions: 1 },
  ];
}

/** Returns the topics it created. */
export async function ensureTopics(client: KafkaClient, specs: TopicSpec[]): Promise<string[]> {
  const admin = client.admin();
  await admin.connect();
  try {
    return await admin.createTopics(specs);
  } finally {
    await admin.disconnect();
  }
}
