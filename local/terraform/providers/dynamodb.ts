import { optionalBool, requiredString } from "./arguments.ts";
import { defineProvider, tagsAll } from "./computed.ts";
import { LOCAL_CREATION_TIME } from "./derived-ids.ts";
import type { LocalProvider } from "./local-provider.ts";

/**
 * DynamoDB tables: the ARN plan.ts also builds (`table/<name>`), and the
 * stream ARN and label when streams are on.
 *
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/dynamodb_table#attribute-reference
 */

const table = defineProvider("managed", "aws_dynamodb_table", (instance) => {
  const name = () => requiredString(instance, "name", "the table's id and ARN");
  const arn = () => {
    const { partition, region, accountId } = instance.context;
    return `arn:${partition}:dynamodb:${region}:${accountId}:table/${name()}`;
  };
  const streaming = () => optionalBool(instance, "stream_enabled") === true;
  // DynamoDB labels a stream with its creation time, e.g. 2024-01-01T00:00:00.000.
  const streamLabel = () => (streaming() ? LOCAL_CREATION_TIME.toISOString().replace("Z", "") : "");
  return {
    id: name,
    arn,
    // Without a stream the provider stores empty strings, not null.
    stream_arn: () => (streaming() ? `${arn()}/stream/${streamLabel()}` : ""),
    stream_label: streamLabel,
    tags_all: tagsAll(instance),
  };
});

/** The DynamoDB providers. */
export const dynamodbProviders: readonly LocalProvider[] = [table];
