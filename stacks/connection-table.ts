import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table/index.js";
import { Construct } from "constructs";
import { type TableAccess } from "../contract/routes.ts";
import { CONNECTION_TABLE } from "../contract/connection-table.ts";
import type { BundledFunction } from "./bundled-function.ts";
import { readableAddress, terraformName } from "./readable-address.ts";

/** Properties of a {@link ConnectionTable}. */
export interface ConnectionTableProps {
  /** Physical table name. */
  readonly tableName: string;
  /**
   * Point-in-time recovery. On by default: losing memberships loses rooms.
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Customer-managed KMS key ARN for encryption at rest; a token that
   * resolves to null means DynamoDB's AWS managed key (`aws/dynamodb`).
   * Encryption at rest is on either way.
   * @default - the AWS managed key
   */
  readonly kmsKeyArn?: string;
  /**
   * Refuse `terraform destroy` of the table until switched off.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Terraform name of the table: `aws_dynamodb_table.<addressName>`.
   * @default - the construct id in snake_case (`Connections` → `connections`)
   */
  readonly addressName?: string;
}

/**
 * The connection store: connections and room memberships in one
 * PAY_PER_REQUEST table, with a sparse room index so a broadcast Queries only
 * its recipients. Key layout: {@link CONNECTION_TABLE}.
 *
 * Every item carries a TTL because `$disconnect` is best-effort on AWS.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-indexes-general-sparse-indexes.html
 */
export class ConnectionTable extends Construct {
  /** The DynamoDB table. */
  readonly table: DynamodbTable;
  /** ARN of the room index, for grants. */
  readonly roomIndexArn: string;
  /** Name of the room index, for the handlers' environment. */
  readonly roomIndexName: string = CONNECTION_TABLE.roomIndexName;

  constructor(scope: Construct, id: string, props: ConnectionTableProps) {
    super(scope, id);
    const k = CONNECTION_TABLE;
    this.table = new DynamodbTable(this, "Table", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: k.partitionKey,
      rangeKey: k.sortKey,
      attribute: k.attributes.map((a) => ({ name: a.name, type: a.type })),
      globalSecondaryIndex: [
        {
          name: k.roomIndexName,
          hashKey: k.roomAttribute,
          rangeKey: k.connectionIdAttribute,
          projectionType: "INCLUDE",
          nonKeyAttributes: [...k.roomIndexProjection],
        },
      ],
      ttl: { attributeName: k.ttlAttribute, enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
      pointInTimeRecovery: { enabled: props.pointInTimeRecovery ?? true },
      deletionProtectionEnabled: props.deletionProtection ?? false,
    });
    readableAddress(this.table, props.addressName ?? terraformName(id), { movedFromGeneratedId: true });
    this.roomIndexArn = `${this.table.arn}/index/${k.roomIndexName}`;
  }

  /**
   * Grants a function exactly the table access its route declares in the
   * route manifest: base-table actions on the table ARN, index actions on the
   * room index ARN, nothing else.
   */
  grant(fn: BundledFunction, access: TableAccess): void {
    if (access.table?.length) {
      fn.grant({ actions: access.table.map((a) => `dynamodb:${a}`), resources: [this.table.arn] });
    }
    if (access.roomIndex?.length) {
      fn.grant({ actions: access.roomIndex.map((a) => `dynamodb:${a}`), resources: [this.roomIndexArn] });
    }
  }
}
