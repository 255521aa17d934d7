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

function isConditionFailure(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}
