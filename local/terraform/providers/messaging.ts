import { optionalBool, optionalString } from "./arguments.ts";
import { defineProvider, tagsAll } from "./computed.ts";
import { generatedName } from "./derived-ids.ts";
import type { InstanceInputs, LocalProvider } from "./local-provider.ts";
import { dnsSuffix } from "./partition.ts";

/**
 * SQS queues and SNS topics: a queue is known by its URL, a topic by its ARN.
 * Without a `name`, the provider generates one, with the `.fifo` suffix FIFO
 * queues and topics require.
 *
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sqs_queue#attribute-reference
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic#attribute-reference
 */

function nameOrGenerated(instance: InstanceInputs, fifoArgument: string): string {
  const name = optionalString(instance, "name");
  if (name !== undefined) return name;
  const generated = generatedName(instance.address, optionalString(instance, "name_prefix") ?? "terraform-");
  return optionalBool(instance, fifoArgument) === true ? `${generated}.fifo` : generated;
}

const queue = defineProvider("managed", "aws_sqs_queue", (instance) => {
  const name = () => nameOrGenerated(instance, "fifo_queue");
  const url = () => `https://sqs.${instance.context.region}.${dnsSuffix(instance.context)}/${instance.context.accountId}/${name()}`;
  return {
    id: url,
    url,
    name,
    arn: () => {
      const { partition, region, accountId } = instance.context;
      return `arn:${partition}:sqs:${region}:${accountId}:${name()}`;
    },
    tags_all: tagsAll(instance),
  };
});

const topic = defineProvider("managed", "aws_sns_topic", (instance) => {
  const name = () => nameOrGenerated(instance, "fifo_topic");
  const arn = () => {
    const { partition, region, accountId } = instance.context;
    return `arn:${partition}:sns:${region}:${accountId}:${name()}`;
  };
  return { id: arn, arn, name, owner: () => instance.context.accountId, tags_all: tagsAll(instance) };
});

/** The SQS and SNS providers. */
export const messagingProviders: readonly LocalProvider[] = [queue, topic];
