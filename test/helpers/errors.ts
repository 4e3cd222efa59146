import { expect } from 'vitest';
import { RelayError } from '../../src/errors.js';

/** The RelayError `fn` throws; fails the test when it throws anything else, or nothing. */
export function thrownRelayError(fn: () => unknown): RelayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RelayError);
    return err as RelayError;
  }
  throw new Error('expected a RelayError');
}
