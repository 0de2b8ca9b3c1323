import { optionalString } from "./arguments.ts";
import { defineProvider, tagsAll } from "./computed.ts";
import { generatedName } from "./derived-ids.ts";
import type { LocalProvider } from "./local-provider.ts";

/**
 * CloudWatch log groups. The provider strips the `:*` the API appends to a
 * log group's ARN (since v4), for services that refuse the suffix.
 *
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_log_group#attribute-reference
 */

const logGroup = defineProvider("managed", "aws_cloudwatch_log_group", (instance) => {
  const name = () => optionalString(instance, "name") ?? generatedName(instance.address, optionalString(instance, "name_prefix") ?? "terraform-");
  return {
    id: name,
    name,
    arn: () => {
      const { partition, region, accountId } = instance.context;
      return `arn:${partition}:logs:${region}:${accountId}:log-group:${name()}`;
    },
    tags_all: tagsAll(instance),
  };
});

/** The CloudWatch Logs providers. */
export const cloudwatchLogsProviders: readonly LocalProvider[] = [logGroup];
