import type { z } from 'zod';

/** An optional body field that may also arrive as `null` (SDKs in Python send it for absent fields): both mean absent. */
export const optional = <S extends z.ZodType>(schema: S) => schema.nullish().transform((value) => value ?? undefined);
