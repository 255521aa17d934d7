import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from './client-config.ts';

/**
 * One DocumentClient per process. The endpoint comes from the standard
 * `AWS_ENDPOINT_URL_DYNAMODB` variable on the local platform; on AWS it is unset.
 */
export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig), {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * For counters that may outgrow 2^53: numbers come back as `NumberValue`
 * (exact text) instead of throwing. Its own base client: a DocumentClient
 * writes its translate options into the config of the client it wraps.
 */
export const dynamoDbWideNumbers = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig), {
  unmarshallOptions: { wrapNumbers: true },
});
