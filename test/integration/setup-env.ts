import { inject } from 'vitest';

// Before any test module loads a handler: handlers read their environment at import.
Object.assign(process.env, inject('platformEnv'));
