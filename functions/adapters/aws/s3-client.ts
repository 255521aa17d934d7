import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from './client-config.ts';

/**
 * One S3 client per process. A custom endpoint (`AWS_ENDPOINT_URL_S3`, set
 * only on the local platform) means an emulator, which is addressed path-style.
 */
export const s3 = new S3Client({ ...awsClientConfig, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
