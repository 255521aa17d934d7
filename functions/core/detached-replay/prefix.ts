import { InvalidRequestError } from '../errors.ts';
import { detachedLimits as L } from './limits.ts';

/**
 * Where a project's outputs of one execution and stage live in the outputs
 * bucket: `<project>/<execution>/<stage>/<path>`. The project comes first so
 * that a tenant can only ever list its own outputs.
 */
export function sourcePrefix(projectId: string, executionId: string, stage: string, path: string | null): string {
  const cleanStage = stage.replace(/^\/+|\/+$/g, '');
  if (!cleanStage) throw new InvalidRequestError('from_stage must name a stage, not only slashes', 'from_stage');
  const segments = [...cleanStage.split('/'), ...(path ?? '').split('/')];
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    throw new InvalidRequestError('from_stage and from_path may not contain "." or ".." segments', segments.includes('..') ? 'from_path' : 'from_stage');
  }
  if ((path ?? '').startsWith('/')) throw new InvalidRequestError('from_path is relative to the stage: drop the leading "/"', 'from_path');
  const prefix = `${projectId}/${executionId}/${cleanStage}/${path ?? ''}`;
  if (Buffer.byteLength(prefix, 'utf8') > L.maxPrefixBytes) {
    throw new InvalidRequestError(`The source prefix exceeds S3's ${L.maxPrefixBytes}-byte key limit`, 'from_path');
  }
  return prefix;
}
