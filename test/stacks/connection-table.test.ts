import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
import { BundledFunction } from "../../stacks/bundled-function.ts";
import { ConnectionTable } from "../../stacks/connection-table.ts";
import { ECHO_HANDLER, iamStatements, resourcesOf, synthInStack, tempBundleRoot } from "./synth-helpers.ts";

function table(build?: (t: ConnectionTable, fn: BundledFunction) => void, kmsKeyArn?: string) {
  const bundleRoot = tempBundleRoot();
  return synthInStack((stack) => {
    const t = new ConnectionTable(stack, "Connections", { tableName: "chat-connections", kmsKeyArn });
    const fn = new BundledFunction(stack, "Fn", { entry: ECHO_HANDLER, functionName: "fn", bundleRoot, logRetentionDays: 7 });
    build?.(t, fn);
  });
}

describe("ConnectionTable", () => {
  it("table: is on-demand, encrypted, recoverable, and expires items by TTL", () => {
    const { json } = table();
    expect(Testing.toHaveResourceWithProperties(json, "aws_dynamodb_table", {
      name: "chat-connections",
      billing_mode: "PAY_PER_REQUEST",
      ttl: { attribute_name: CONNECTION_TABLE.ttlAttribute, enabled: true },
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
    })).toBe(true);
  });

  it("kmsKeyArn: encrypts with that key; without one, with the AWS managed key (encryption stays on)", () => {
    const [withKey] = resourcesOf(table(undefined, "arn:aws:kms:us-east-1:111122223333:key/k").tf, "aws_dynamodb_table");
    expect(withKey.server_side_encryption).toEqual({ enabled: true, kms_key_arn: "arn:aws:kms:us-east-1:111122223333:key/k" });
    const [withoutKey] = resourcesOf(table().tf, "aws_dynamodb_table");
    expect(withoutKey.server_side_encryption).toEqual({ enabled: true });
  });

  it("keys: one table holds connections and memberships under pk/sk", () => {
    const [t] = resourcesOf(table().tf, "aws_dynamodb_table");
    expect(t).toMatchObject({ hash_key: "pk", range_key: "sk" });
    expect(t.attribute).toEqual(expect.arrayContaining([{ name: "pk", type: "S" }, { name: "sk", type: "S" }]));
  });

  it("room index: lets a broadcast Query a room's members by room, sorted by connection", () => {
    const [t] = resourcesOf(table().tf, "aws_dynamodb_table");
    expect(t.global_secondary_index).toEqual([
      {
        name: CONNECTION_TABLE.roomIndexName,
        hash_key: CONNECTION_TABLE.roomAttribute,
        range_key: CONNECTION_TABLE.connectionIdAttribute,
        projection_type: "INCLUDE",
        non_key_attributes: [...CONNECTION_TABLE.roomIndexProjection],
      },
    ]);
    // Every key attribute is declared, and only key attributes are (Terraform refuses others).
    expect(t.attribute.map((a: { name: string }) => a.name).sort()).toEqual(["connectionId", "pk", "room", "sk"]);
  });

  it("grant: gives table actions on the table ARN and index actions on the index ARN only", () => {
    const { tf } = table((t, fn) => t.grant(fn, { table: ["Query", "BatchWriteItem"], roomIndex: ["Query"] }));
    const dynamo = iamStatements(tf).filter((s) => s.actions.some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toEqual([
      expect.objectContaining({ actions: ["dynamodb:Query", "dynamodb:BatchWriteItem"], resources: [expect.stringMatching(/^\$\{aws_dynamodb_table\.\w+\.arn\}$/)] }),
      expect.objectContaining({ actions: ["dynamodb:Query"], resources: [expect.stringMatching(/^\$\{aws_dynamodb_table\.\w+\.arn\}\/index\/byRoom$/)] }),
    ]);
  });

  it("grant: grants nothing for a route that touches no table", () => {
    const { tf } = table((t, fn) => t.grant(fn, {}));
    expect(iamStatements(tf).filter((s) => s.actions.some((a) => a.startsWith("dynamodb:")))).toEqual([]);
  });
});
