/** Registration of `prescient mitigations list|lift` (the implementation loads on demand). */
import type { Command } from 'commander';

export function registerMitigationsCommand(program: Command): void {
  const cmd = program
    .command('mitigations')
    .description('actions applied by the nftables/tc enforcers: list them, lift them');
  cmd
    .command('list')
    .description('active actions (and, with --all, ended ones from the last day) from the state dir')
    .option('--state-dir <dir>', 'enforcer state dir', '/var/lib/prescient/enforcer')
    .option('--all', 'include lifted, expired, superseded, refused and failed actions')
    .option('--vm <id>', 'only this VM')
    .option('--json', 'one JSON record per line')
    .action(async (o: { stateDir: string; all?: boolean; vm?: string; json?: boolean }) => {
      const { mitigationsList } = await import('./mitigations');
      process.stdout.write(mitigationsList(o));
    });
  cmd
    .command('lift [id]')
    .description('remove actions now: one by id, all of a VM (--vm) or all (--all)')
    .option('--state-dir <dir>', 'enforcer state dir', '/var/lib/prescient/enforcer')
    .option('--vm <id>', 'every active action of this VM')
    .option('--all', 'every active action')
    .action(async (id: string | undefined, o: { stateDir: string; vm?: string; all?: boolean }) => {
      const { mitigationsLift } = await import('./mitigations');
      process.stdout.write(await mitigationsLift(id, o));
    });
}
