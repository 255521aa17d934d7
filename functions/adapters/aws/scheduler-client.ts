import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { awsClientConfig } from './client-config.ts';

/** One EventBridge Scheduler client per process; locally `AWS_ENDPOINT_URL_SCHEDULER` points it at the stand-in. */
export const scheduler = new SchedulerClient(awsClientConfig);
