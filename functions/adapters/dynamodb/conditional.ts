/**
 * Runs a conditional write: false when its condition did not hold (another
 * writer got there first, or the item is in another state), instead of an error.
 */
export async function whenConditionHolds(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A conditional write that returns its new item, or undefined when the condition did not hold. */
export async function unlessConditionFails<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * A failed condition: of a single write, or of a transaction cancelled for
 * failed conditions alone. A transaction cancelled for a conflict, throttling
 * or validation is an error, so that the caller retries or reports it.
 */
export function isConditionFailure(error: unknown): boolean {
  const { name, CancellationReasons } = error as Error & { CancellationReasons?: { Code?: string }[] };
  if (name === 'ConditionalCheckFailedException') return true;
  if (name !== 'TransactionCanceledException') return false;
  const codes = (CancellationReasons ?? []).map((reason) => reason.Code).filter((code) => code && code !== 'None');
  return codes.length > 0 && codes.every((code) => code === 'ConditionalCheckFailed');
}

/** How many times a transaction cancelled by a conflicting write is tried before its error is thrown. */
export const MAX_TRANSACTION_ATTEMPTS = 5;

/** Jittered exponential wait before retrying a transaction that lost a conflict. */
export function transactionBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * 25 * 2 ** attempt;
  return new Promise((resolve) => setTimeout(resolve, ms));
}
