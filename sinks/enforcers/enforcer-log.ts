/** The log an enforcer writes to: pino's shape (the runtime logger fits), JSON lines on stderr by default. */
export interface EnforcerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function stderrEnforcerLog(out: { write(line: string): unknown } = process.stderr): EnforcerLog {
  const line = (level: string) => (obj: object, msg: string): void => {
    out.write(`${JSON.stringify({ level, time: new Date().toISOString(), app: 'prescient', component: 'enforcer', ...obj, msg })}\n`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
