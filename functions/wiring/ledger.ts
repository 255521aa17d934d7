import { createDynamoLedgerStore } from '#adapters/dynamodb/ledger-store.ts';
import { createLedgerService } from '#core/ledger/ledger-service.ts';
import { tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { newUuidV7 } from '#shared/ids.ts';

/** The ledger service wired to DynamoDB, created once per Lambda container (composition root). */
export const ledger = createLedgerService({
  store: createDynamoLedgerStore(requireEnv(tables.ledger.envName)),
  now: () => new Date(),
  newId: newUuidV7,
});
