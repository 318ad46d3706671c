/** Exit codes of the `prescient` command, documented in the README. */
export const ExitCode = {
  OK: 0,
  /** An unexpected failure inside Prescient (a bug, or a service that failed mid-run). */
  FAILURE: 1,
  /** Bad input refused before anything ran: topology, policy, inventory, model, arguments. */
  BAD_INPUT: 2,
  /** The run completed, but its input was cut short (e.g. a truncated pcap): results cover what was read. */
  PARTIAL_INPUT: 3,
  /**
   * A service (Kafka broker, Redis) could not be reached, after bounded retries with backoff
   * (sysexits EX_UNAVAILABLE): the supervisor decides when to try again.
   */
  SERVICE_UNAVAILABLE: 69,
  /** Interrupted by SIGINT/SIGTERM; outputs were flushed. */
  INTERRUPTED: 130,
} as const;
