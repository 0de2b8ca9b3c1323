import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic/index.js";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue/index.js";
import { Aspects, TerraformVariable, type TerraformStack } from "cdktf";
import { describe, expect, it } from "vitest";
import { nameTag, TagResources } from "../../stacks/tags.ts";
import { synthInStack } from "./synth-helpers.ts";

/** A bare stack with a `tags` variable and the aspect, then whatever `build` adds. */
function synthTagged(build: (stack: TerraformStack) => void) {
  return synthInStack((stack) => {
    const tags = new TerraformVariable(stack, "tags", { type: "map(string)", default: {} });
    tags.overrideLogicalId("tags");
    Aspects.of(stack).add(new TagResources(tags.value));
    build(stack);
  }).tf;
}

describe("TagResources", () => {
  it("name: a resource with a physical name gets var.tags merged with a Name tag", () => {
    // GIVEN a topic added after the aspect
    const tf = synthTagged((stack) => new SnsTopic(stack, "topic", { name: "chat-alarms" }));
    // THEN its tags are var.tags and its name
    expect(Object.values(tf.resource.aws_sns_topic!)[0].tags).toBe('${merge(var.tags, {"Name" = "chat-alarms"})}');
  });

  it("name: a log group's Name is its whole name, path included", () => {
    const tf = synthTagged((stack) => new CloudwatchLogGroup(stack, "logs", { name: "/aws/lambda/chat-on-message" }));
    expect(Object.values(tf.resource.aws_cloudwatch_log_group!)[0].tags).toMatch(/"Name" = "\/aws\/lambda\/chat-on-message"/);
  });

  it("no name: a resource without a physical name gets var.tags alone", () => {
    const tf = synthTagged((stack) => new SqsQueue(stack, "queue", {}));
    expect(Object.values(tf.resource.aws_sqs_queue!)[0].tags).toBe("${var.tags}");
  });

  it("nameTag: overrides the Name a resource's own name would give, or drops it", () => {
    const tf = synthTagged((stack) => {
      nameTag(new SnsTopic(stack, "renamed", { name: "dev" }), "chat-dev");
      nameTag(new SnsTopic(stack, "unnamed", { name: "x" }), null);
    });
    const topics = tf.resource.aws_sns_topic!;
    expect(topics.renamed.tags).toBe('${merge(var.tags, {"Name" = "chat-dev"})}');
    expect(topics.unnamed.tags).toBe("${var.tags}");
  });

  it("own tags: tags a construct set itself are kept and win over var.tags and Name", () => {
    const tf = synthTagged((stack) => new SnsTopic(stack, "topic", { name: "t", tags: { Name: "mine", cost: "x" } }));
    const tags = String(Object.values(tf.resource.aws_sns_topic!)[0].tags);
    expect(tags).toMatch(/^\$\{merge\(var\.tags, \{"Name" = "t"\}, \{"Name" = "mine", "cost" = "x"\}\)\}$/);
  });

  it("untaggable: a resource whose binding has no tags argument is left alone", () => {
    const tf = synthTagged((stack) => new LambdaPermission(stack, "permission", { action: "lambda:InvokeFunction", functionName: "f", principal: "apigateway.amazonaws.com" }));
    expect(Object.values(tf.resource.aws_lambda_permission!)[0].tags).toBeUndefined();
  });
});
