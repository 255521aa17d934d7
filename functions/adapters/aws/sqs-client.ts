import { SQSClient } from '@aws-sdk/client-sqs';

/** One SQS client per process; the local endpoint comes from `AWS_ENDPOINT_URL_SQS`. */
export const sqs = new SQSClient({});
