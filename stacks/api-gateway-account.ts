import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { readableAddress } from "./readable-address.ts";

/** Properties of an {@link ApiGatewayCloudWatchRole}. */
export interface ApiGatewayCloudWatchRoleProps {
  /** Physical name of the role. */
  readonly roleName: string;
  /**
   * Whether to create anything: a boolean, or a token such as a Terraform
   * variable (then every resource here has `count = enabled ? 1 : 0`).
   */
  readonly enabled: boolean | IResolvable;
}

const API_GATEWAY_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Terraform name of the role, its policy attachment and the account setting. */
const ADDRESS_NAME = "api_gateway_cloudwatch";

/** The AWS managed policy API Gateway documents for this role. */
export const API_GATEWAY_CLOUDWATCH_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs";

/**
 * The API Gateway CloudWatch role of the account: an IAM role API Gateway
 * assumes to write logs, set as `cloudwatch_role_arn` of `aws_api_gateway_account`.
 * That setting is ONE per account and region, shared by every REST and
 * WebSocket API there, and a WebSocket stage with an access log is refused
 * ("CloudWatch Logs role ARN must be set in account settings to enable
 * logging") while it is empty. So this is opt-in, never made silently: see
 * docs/security.md. Destroying it leaves the account setting pointing at the
 * deleted role (the provider cannot reset it).
 *
 * The role gets AWS's managed policy for it, whose resources are `*`: the
 * role serves every API of the account and region, not only this stack's.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 */
export class ApiGatewayCloudWatchRole extends Construct {
  readonly role: IamRole;
  readonly account: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudWatchRoleProps) {
    super(scope, id);
    const count = typeof props.enabled === "boolean" ? (props.enabled ? 1 : 0) : Token.asNumber(Fn.conditional(props.enabled, 1, 0));

    this.role = new IamRole(this, "Role", {
      count,
      name: props.roleName,
      assumeRolePolicy: API_GATEWAY_ASSUME_ROLE_POLICY,
      description: "API Gateway's CloudWatch Logs role for this account and region (aws_api_gateway_account)",
    });
    // One name for the three: `aws_iam_role.api_gateway_cloudwatch` and so on.
    readableAddress(this.role, ADDRESS_NAME, { movedFromGeneratedId: true });
    // With count set, the role is `aws_iam_role.<id>[count.index]`; cdktf's own
    // reference would leave out the index.
    const role = (attribute: string) => `\${${this.role.terraformResourceType}.${this.role.friendlyUniqueId}[count.index].${attribute}}`;

    const policy = readableAddress(new IamRolePolicyAttachment(this, "Policy", {
      count,
      role: role("name"),
      // The role's own ARN names the partition (aws, aws-cn, aws-us-gov) without a data source.
      policyArn: `arn:\${split(":", ${this.role.terraformResourceType}.${this.role.friendlyUniqueId}[count.index].arn)[1]}:iam::aws:policy/${API_GATEWAY_CLOUDWATCH_POLICY}`,
    }), ADDRESS_NAME, { movedFromGeneratedId: true });

    this.account = readableAddress(new ApiGatewayAccount(this, "Account", {
      count,
      cloudwatchRoleArn: role("arn"),
      // API Gateway checks the role's permissions when the setting is made.
      dependsOn: [policy],
    }), ADDRESS_NAME, { movedFromGeneratedId: true });
  }
}
