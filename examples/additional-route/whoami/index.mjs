// The `whoami` route of examples/additional-route: answers the caller with
// what the chat knows about its connection, read from the chat's own table
// (the connection item, `pk = CONN#<connectionId>`, `sk = META`; see
// contract/connection-table.ts in wsstack). Plain JavaScript with no
// dependencies: the AWS SDK for JavaScript v3 ships with the nodejs22.x runtime.
//
// After changing this file, rebuild the package next to it:
//   cd examples/additional-route/whoami && zip -X ../whoami.zip index.mjs
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const dynamodb = new DynamoDBClient({});

export const handler = async (event) => {
  const { connectionId, requestId } = event.requestContext;
  const { Item: item } = await dynamodb.send(
    new GetItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: { S: `CONN#${connectionId}` }, sk: { S: "META" } },
      ProjectionExpression: "userName, userId, connectedAt",
    }),
  );
  if (!item) {
    // The connection item is written by $connect and kept until $disconnect.
    console.error(JSON.stringify({ level: "error", msg: "connection item not found", connectionId, requestId }));
    return { statusCode: 404, body: JSON.stringify({ type: "error", error: "not_found", message: "This connection is not known to the chat." }) };
  }
  return {
    statusCode: 200,
    body: JSON.stringify({
      type: "whoami",
      connectionId,
      userName: item.userName?.S ?? null,
      userId: item.userId?.S ?? null,
      connectedAt: item.connectedAt?.N ? Number(item.connectedAt.N) : null,
    }),
  };
};
