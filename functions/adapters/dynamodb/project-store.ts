import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Project, ProjectStore } from '#core/auth/project.ts';
import { dynamoDb } from '../aws/dynamodb-client.ts';
import { whenConditionHolds } from './conditional.ts';

/** Projects by org (partition) and name (sort key): a name is unique within its org only. */
export function createDynamoProjectStore(tableName: string): ProjectStore {
  return {
    async find(orgId, name) {
      const { Item } = await dynamoDb.send(new GetCommand({ TableName: tableName, Key: { org_id: orgId, project_name: name } }));
      return Item ? toProject(Item) : undefined;
    },

    createIfAbsent(project) {
      return whenConditionHolds(() =>
        dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: { org_id: project.orgId, project_name: project.name, project_id: project.projectId, created_at: project.createdAt },
            ConditionExpression: 'attribute_not_exists(org_id)',
          }),
        ),
      );
    },

    async list(orgId) {
      const projects: Project[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await dynamoDb.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'org_id = :org', ExpressionAttributeValues: { ':org': orgId }, ExclusiveStartKey: start }),
        );
        projects.push(...(page.Items ?? []).map(toProject));
        start = page.LastEvaluatedKey;
      } while (start);
      return projects;
    },
  };
}

function toProject(item: Record<string, unknown>): Project {
  return { projectId: String(item.project_id), orgId: String(item.org_id), name: String(item.project_name), createdAt: String(item.created_at) };
}
