import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackEndpoint, ManagementApiSenders } from "../../../functions/aws/management-api-senders.ts";
import { isGone } from "../../../functions/core/send-failure.ts";
import { useDummyAwsCredentials } from "../support/aws-test-environment.ts";
import { newApiGatewayId } from "../support/events.ts";
import { startManagementApiStandIn, type ManagementApiStandIn } from "../support/management-api-stand-in.ts";

let api: ManagementApiStandIn;
beforeAll(async () => {
  useDummyAwsCredentials();
  api = await startManagementApiStandIn({ stage: "prod" });
});
afterAll(async () => {
  await api?.close();
});

describe("callbackEndpoint", () => {
  it("through a custom domain (domain_name, mapped at the root) it is the API's execute-api host, where /<stage>/@connections exists", () => {
    const context = { domainName: "chat.example.com", stage: "prod", apiId: "abc123" };
    expect(callbackEndpoint(context, "eu-west-1")).toBe("https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
  });

  it("an execute-api host, and the emulator's host:port, are kept as they are", () => {
    expect(callbackEndpoint({ domainName: "abc123.execute-api.eu-west-1.amazonaws.com", stage: "prod", apiId: "abc123" }, "eu-west-1")).toBe("https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
    expect(callbackEndpoint({ domainName: "127.0.0.1:3001", stage: "dev", apiId: "local1" }, "us-east-1")).toBe("https://127.0.0.1:3001/dev");
  });

  it("callbackEndpoint: is https://{domainName}/{stage}, as AWS documents", () => {
    expect(callbackEndpoint({ domainName: "dl7ptocha9.execute-api.ap-northeast-1.amazonaws.com", stage: "prod" })).toBe(
      "https://dl7ptocha9.execute-api.ap-northeast-1.amazonaws.com/prod",
    );
  });
});

// Both transports answer alike: the lean one (the default) and the SDK's PostToConnectionCommand.
describe.each(["lean", "sdk"] as const)("ManagementApiSenders (%s transport)", (transport) => {
  const toStandIn = () => new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${api.host}/${stage}`, transport });

  it("ManagementApiSenders: posts the bytes to POST /{stage}/@connections/{id}, the id's '=' encoded", async () => {
    // GIVEN a connection id in API Gateway's format (it ends in '=')
    const connectionId = newApiGatewayId();
    // WHEN a frame is posted to it
    await toStandIn().senderFor({ domainName: api.host, stage: "prod" }).post(connectionId, new TextEncoder().encode('{"type":"message"}'));
    // THEN the stand-in got it under that id
    expect(api.delivered.get(connectionId)).toEqual(['{"type":"message"}']);
  });

  it("ManagementApiSenders: a 410 with an empty body surfaces as GoneException", async () => {
    // GIVEN a gone connection, answered as AWS does (header only, no body)
    const connectionId = newApiGatewayId();
    api.gone.add(connectionId);
    // WHEN a frame is posted to it
    const error = await toStandIn()
      .senderFor({ domainName: api.host, stage: "prod" })
      .post(connectionId, new Uint8Array([123, 125]))
      .catch((caught: unknown) => caught);
    // THEN the fan-out will recognise it as gone
    expect(error).toMatchObject({ name: "GoneException", $metadata: { httpStatusCode: 410 } });
    expect(isGone(error)).toBe(true);
  });

  it("ManagementApiSenders: a 429 is not retried by the SDK, so the fan-out's retry policy is the only one", async () => {
    // GIVEN a connection throttled once
    const connectionId = newApiGatewayId();
    api.throttled.set(connectionId, 1);
    const postsBefore = api.posts;
    // WHEN a frame is posted to it
    const error = await toStandIn()
      .senderFor({ domainName: api.host, stage: "prod" })
      .post(connectionId, new Uint8Array([123, 125]))
      .catch((caught: unknown) => caught);
    // THEN it failed after one request, as LimitExceededException
    expect(error).toMatchObject({ name: "LimitExceededException" });
    expect(api.posts - postsBefore).toBe(1);
  });

  it("ManagementApiSenders: a wrong stage reaches the stand-in as 403, not as a delivery", async () => {
    const error = await toStandIn()
      .senderFor({ domainName: api.host, stage: "dev" })
      .post(newApiGatewayId(), new Uint8Array([123, 125]))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "ForbiddenException" });
  });
});
