/**
 * Backpressure across a kafkajs consumer restart: kafkajs throws from pause()/resume() while its
 * consumer group is being recreated, and the new group forgets earlier pauses. The project's consumer
 * keeps the wish and applies it again when the group rejoins. No broker: the kafkajs consumer's
 * pause/resume are replaced by recorders.
 */
import { KafkajsClient } from '../../../../sources/kafka';

interface Inner {
  pause(tps: Array<{ topic: string; partitions: number[] }>): void;
  resume(tps: Array<{ topic: string; partitions: number[] }>): void;
}

function setup() {
  const client = new KafkajsClient({ brokers: ['127.0.0.1:1'], clientId: 'pause-test' });
  const consumer = client.consumer({ groupId: 'g' });
  const inner = (consumer as unknown as { consumer: Inner }).consumer;
  const calls: string[] = [];
  let groupUp = false;
  const notInitialized = (): never => {
    throw new Error('Consumer group was not initialized, consumer#run must be called first');
  };
  inner.pause = (tps) => (groupUp ? void calls.push(`pause ${JSON.stringify(tps)}`) : notInitialized());
  inner.resume = (tps) => (groupUp ? void calls.push(`resume ${JSON.stringify(tps)}`) : notInitialized());
  const join = (assignment: Record<string, number[]>): void => {
    groupUp = true;
    (consumer as unknown as { onJoin(a: Record<string, number[]>): void }).onJoin(assignment);
  };
  return { consumer, calls, join, setGroupUp: (v: boolean) => (groupUp = v) };
}

describe('kafkajs consumer: pause and resume across a group restart', () => {
  it('a pause asked for while the group restarts does not throw and holds once the group rejoins', () => {
    const { consumer, calls, join } = setup();
    expect(() => consumer.pause([{ topic: 'packets', partition: 1 }])).not.toThrow();
    expect(calls).toEqual([]);
    join({ packets: [0, 1] });
    expect(calls).toEqual(['pause [{"topic":"packets","partitions":[1]}]']);
  });

  it('a resume forgets the pause, and a revoked partition is not paused again', () => {
    const { consumer, calls, join, setGroupUp } = setup();
    join({ packets: [0, 1, 2] });
    consumer.pause([{ topic: 'packets', partition: 0 }, { topic: 'packets', partition: 2 }]);
    consumer.resume([{ topic: 'packets', partition: 0 }]);
    calls.length = 0;
    setGroupUp(false);
    expect(() => consumer.resume([{ topic: 'packets', partition: 9 }])).not.toThrow();
    join({ packets: [0, 1] }); // partition 2 went to another member
    expect(calls).toEqual([]);
    join({ packets: [0, 1, 2] });
    expect(calls).toEqual([]);
  });

  it('other errors from kafkajs still surface', () => {
    const { consumer } = setup();
    const inner = (consumer as unknown as { consumer: Inner }).consumer;
    inner.pause = () => {
      throw new Error('Array of valid partitions required');
    };
    expect(() => consumer.pause([{ topic: 'packets', partition: 0 }])).toThrow(/valid partitions/);
  });
});
