import { apiIdFor } from "../../ids.ts";
import { requiredString } from "./arguments.ts";
import { defineProvider, tagsAll } from "./computed.ts";
import { gatewayId } from "./derived-ids.ts";
import type { InstanceInputs, LocalProvider } from "./local-provider.ts";
import { dnsSuffix } from "./partition.ts";

/**
 * API Gateway v2 (WebSocket and HTTP APIs): ids in the shapes the service
 * gives them, and the endpoint and ARNs that plan.ts parses back (an
 * `execution_arn` in a permission's `source_arn`, an `invoke_url` in an output).
 *
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/apigatewayv2_api#attribute-reference
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html
 */

/** `<id>.execute-api.<region>.amazonaws.com` */
function executeApiHost(instance: InstanceInputs, apiId: string): string {
  return `${apiId}.execute-api.${instance.context.region}.${dnsSuffix(instance.context)}`;
}

/** `arn:<partition>:execute-api:<region>:<account>:<api id>`: what a Lambda permission's `source_arn` starts with. */
function executionArn(instance: InstanceInputs, apiId: string): string {
  const { partition, region, accountId } = instance.context;
  return `arn:${partition}:execute-api:${region}:${accountId}:${apiId}`;
}

/** `arn:<partition>:apigateway:<region>::<path>`: the ARN of an API Gateway management resource. */
function managementArn(instance: InstanceInputs, path: string): string {
  const { partition, region } = instance.context;
  return `arn:${partition}:apigateway:${region}::${path}`;
}

const api = defineProvider("managed", "aws_apigatewayv2_api", (instance) => {
  // apiIdFor is also what the emulator's own loader (plan.ts) uses, so both agree on an API's id.
  const id = () => apiIdFor(instance.address);
  return {
    id,
    api_endpoint: () => {
      const protocol = requiredString(instance, "protocol_type", "api_endpoint");
      return `${protocol === "WEBSOCKET" ? "wss" : "https"}://${executeApiHost(instance, id())}`;
    },
    execution_arn: () => executionArn(instance, id()),
    arn: () => managementArn(instance, `/apis/${id()}`),
    tags_all: tagsAll(instance),
  };
});

const stage = defineProvider("managed", "aws_apigatewayv2_stage", (instance) => {
  const name = () => requiredString(instance, "name", "the stage's id, invoke_url and ARNs");
  const apiId = () => requiredString(instance, "api_id", "the stage's invoke_url and ARNs");
  return {
    id: name,
    invoke_url: () => {
      // The stage cannot see its API's protocol_type. WebSocket stage names allow only [A-Za-z0-9_-], so `$default`
      // marks an HTTP API, whose default stage AWS serves at the root.
      if (name() === "$default") return `https://${executeApiHost(instance, apiId())}/`;
      return `wss://${executeApiHost(instance, apiId())}/${name()}`;
    },
    execution_arn: () => `${executionArn(instance, apiId())}/${name()}`,
    arn: () => managementArn(instance, `/apis/${apiId()}/stages/${name()}`),
    tags_all: tagsAll(instance),
  };
});

/** A resource whose only computed attribute is its id (`1a2b3c4` for routes, `a1b2c3` for authorizers). */
function idOnly(type: string, length: number): LocalProvider {
  return defineProvider("managed", type, (instance) => ({ id: () => gatewayId(instance.address, length) }));
}

const domainName = defineProvider("managed", "aws_apigatewayv2_domain_name", (instance) => {
  const domain = () => requiredString(instance, "domain_name", "the domain name's id and ARN");
  return {
    id: domain,
    arn: () => managementArn(instance, `/domainnames/${domain()}`),
    api_mapping_selection_expression: () => "$request.basepath",
    tags_all: tagsAll(instance),
  };
});

const idOnlyProviders = [
  // Lengths as the service returns them (AWS CLI reference examples): routes and integrations 7, API mappings 10, the rest 6.
  idOnly("aws_apigatewayv2_route", 7),
  idOnly("aws_apigatewayv2_integration", 7),
  idOnly("aws_apigatewayv2_authorizer", 6),
  idOnly("aws_apigatewayv2_route_response", 6),
  idOnly("aws_apigatewayv2_integration_response", 6),
  idOnly("aws_apigatewayv2_deployment", 6),
  idOnly("aws_apigatewayv2_model", 6),
  idOnly("aws_apigatewayv2_api_mapping", 10),
];

/** The API Gateway v2 providers. */
export const apigatewayv2Providers: readonly LocalProvider[] = [api, stage, domainName, ...idOnlyProviders];
