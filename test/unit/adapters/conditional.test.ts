import { describe, expect, it } from 'vitest';
import { isConditionFailure, whenConditionHolds } from '../../../functions/adapters/dynamodb/conditional.ts';

const awsError = (name: string, reasons?: { Code?: string }[]) => Object.assign(new Error(name), { name, ...(reasons ? { CancellationReasons: reasons } : {}) });

describe('a failed condition', () => {
  it('is a ConditionalCheckFailedException, or a transaction cancelled only by failed conditions', () => {
    expect(isConditionFailure(awsError('ConditionalCheckFailedException'))).toBe(true);
    expect(isConditionFailure(awsError('TransactionCanceledException', [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }]))).toBe(true);
  });

  it('is not a transaction cancelled by a conflict, throttling or validation, nor any other error', () => {
    expect(isConditionFailure(awsError('TransactionCanceledException', [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }]))).toBe(false);
    expect(isConditionFailure(awsError('TransactionCanceledException', [{ Code: 'ThrottlingError' }]))).toBe(false);
    expect(isConditionFailure(awsError('TransactionCanceledException'))).toBe(false);
    expect(isConditionFailure(awsError('ProvisionedThroughputExceededException'))).toBe(false);
  });

  it('makes a conditional write answer false, and lets other errors through', async () => {
    await expect(whenConditionHolds(() => Promise.reject(awsError('ConditionalCheckFailedException')))).resolves.toBe(false);
    await expect(whenConditionHolds(() => Promise.reject(awsError('TransactionCanceledException', [{ Code: 'TransactionConflict' }])))).rejects.toThrow();
    await expect(whenConditionHolds(() => Promise.resolve({}))).resolves.toBe(true);
  });
});
