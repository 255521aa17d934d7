import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from './client-config.ts';

/** One SQS client per process; the local endpoint comes from `AWS_ENDPOINT_URL_SQS`. */
export const sqs = new SQSClient(awsClientConfig);
