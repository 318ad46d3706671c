/**
 * A VM's ephemeral ports (32768-60999, Linux's default range). Attacks reserve whole blocks that
 * normal traffic never uses, so an attack's packets are recognisable by their VM-side port
 * (see labels.ts) without a per-packet label stream.
 */
import type { Prng } from './prng';
import { SyntheticConfigError } from './synthetic-config-error';

export const EPHEMERAL_LO = 32768;
export const EPHEMERAL_HI = 60999;
export const ATTACK_BLOCK_PORTS = 1024;
const BLOCKS = Math.floor((EPHEMERAL_HI - EPHEMERAL_LO + 1) / ATTACK_BLOCK_PORTS);

export class PortAllocator {
  private next: number;
  private readonly reserved = new Uint8Array(BLOCKS + 1);
  private reservedCount = 0;

  constructor(start: number) {
    this.next = EPHEMERAL_LO + (start % (EPHEMERAL_HI - EPHEMERAL_LO + 1));
  }

  /** Next port for an outgoing connection: a small random step, as kernels do, skipping attack blocks. */
  alloc(prng: Prng): number {
    for (;;) {
      this.next += 1 + prng.int(7);
      if (this.next > EPHEMERAL_HI) this.next = EPHEMERAL_LO + (this.next - EPHEMERAL_HI - 1);
      const block = Math.floor((this.next - EPHEMERAL_LO) / ATTACK_BLOCK_PORTS);
      if (block >= BLOCKS || this.reserved[block] === 0) return this.next;
      this.next = EPHEMERAL_LO + (block + 1) * ATTACK_BLOCK_PORTS - 1;
    }
  }

  /** Reserves a free block for one attack; returns its first port. */
  reserveBlock(prng: Prng, what: string): number {
    if (this.reservedCount >= BLOCKS - 1) throw new SyntheticConfigError(what, `too many attacks on one VM (at most ${BLOCKS - 1})`);
    let b = prng.int(BLOCKS);
    while (this.reserved[b] !== 0) b = (b + 1) % BLOCKS;
    this.reserved[b] = 1;
    this.reservedCount++;
    return EPHEMERAL_LO + b * ATTACK_BLOCK_PORTS;
  }
}
