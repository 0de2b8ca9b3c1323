import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * The DynamoDB client the handlers share within a container. Region,
 * credentials and endpoint come from the standard AWS environment (on Lambda,
 * its own; locally, e.g. `AWS_ENDPOINT_URL_DYNAMODB`).
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
