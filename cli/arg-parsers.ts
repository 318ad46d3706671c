/** Commander argument parsers shared by every command: a bad value names its flag and what was expected. */
import { InvalidArgumentError } from 'commander';
import { parseDurationUs } from '../operators/config/duration';

export function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return n;
  };
}

export function positive(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n > 0)) throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'`);
    return n;
  };
}

export function durationUs(name: string) {
  return (v: string): number => {
    try {
      return parseDurationUs(v, name);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}
