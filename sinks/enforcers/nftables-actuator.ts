/** Loads Prescient's nft table into the target netns and applies element changes, one transaction each. */
import type { CommandRunner } from './command-runner';
import { CommandFailedError } from './enforcer-errors';
import { baseRuleset, changeTransaction, NFT_FAMILY, NFT_TABLE, type IsolateAllowEntry, type NftElement } from './nft-ruleset';

export class NftablesActuator {
  private ready: Promise<void> | null = null;

  constructor(readonly runner: CommandRunner, private readonly isolateAllow: readonly IsolateAllowEntry[] = []) {}

  /** Creates (or re-syncs) the table once per process; later calls reuse the result. */
  ensureTable(): Promise<void> {
    this.ready ??= this.runner.run('nft', ['-f', '-'], baseRuleset(this.isolateAllow)).then(() => undefined, (e: unknown) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  /** Adds/renews `add` with a kernel timeout and removes `remove`, atomically. */
  async change(add: readonly NftElement[], ttlMs: number, remove: readonly NftElement[]): Promise<void> {
    if (add.length === 0 && remove.length === 0) return;
    if (add.length > 0) await this.ensureTable();
    try {
      await this.runner.run('nft', ['-f', '-'], changeTransaction(add, ttlMs, remove));
    } catch (e) {
      // Removing from a table that is gone (netns rebuilt, table deleted by hand) leaves nothing to remove.
      const tableGone = e instanceof CommandFailedError && /No such file or directory/.test(e.stderr);
      if (tableGone && add.length === 0) return;
      // Re-create the table on the next attempt (the sink or BullMQ retries).
      if (tableGone) this.ready = null;
      throw e;
    }
  }

  /** Packets dropped so far by all of Prescient's drop rules in the target netns (tests, diagnostics). */
  async dropCounters(): Promise<number> {
    const { stdout } = await this.runner.run('nft', ['-j', 'list', 'chain', NFT_FAMILY, NFT_TABLE, 'forward']);
    let total = 0;
    for (const item of (JSON.parse(stdout) as { nftables: Array<{ rule?: { expr: Array<Record<string, unknown>> } }> }).nftables) {
      const expr = item.rule?.expr ?? [];
      const counter = expr.find((x) => 'counter' in x)?.counter as { packets: number } | undefined;
      if (counter !== undefined && expr.some((x) => 'drop' in x)) total += counter.packets;
    }
    return total;
  }

  /** Elements currently in one of our sets (what the kernel still holds, expiry included). */
  async listSet(set: string): Promise<string[]> {
    const { stdout } = await this.runner.run('nft', ['list', 'set', NFT_FAMILY, NFT_TABLE, set]);
    const m = /elements = \{([\s\S]*?)\}/.exec(stdout);
    return m ? m[1].split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
  }
}
