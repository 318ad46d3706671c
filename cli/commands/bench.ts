/** `prescient bench`: loads the config (file + flags), runs it, prints where the report went. */
import { BenchConfigError, loadBenchConfig, runBench, type BenchFlags } from '../../benchmarks/bench';
import { BadArgumentError } from '../errors';

export interface BenchCommandOptions extends BenchFlags {
  config?: string;
  out?: string;
  charts?: boolean;
}

export async function benchCommand(o: BenchCommandOptions): Promise<string> {
  try {
    const { config: file, out, charts, ...flags } = o;
    const config = loadBenchConfig(file, flags);
    const { written } = await runBench({ config, configFile: file ?? '<flags>', outDir: out, charts });
    return written.markdown;
  } catch (err) {
    // An impossible bench is the user's input: exit 2 with the message, like any bad config.
    if (err instanceof BenchConfigError) throw new BadArgumentError(err.message);
    throw err;
  }
}
