/** Where the runtime sends named side-output streams (`anomalies`, `mitigations`, `forensics`, ...). */
export interface StreamSink {
  /** Called in emit order; must not keep `value` beyond the call unless it copies it. */
  write(stream: string, key: string, value: unknown): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
