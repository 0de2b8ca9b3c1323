import { Apigatewayv2ApiMapping } from "@cdktf/provider-aws/lib/apigatewayv2-api-mapping/index.js";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name/index.js";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record/index.js";
import { Lazy, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { WebSocketApi } from "./websocket-api.ts";

/** Properties of a {@link CustomDomain}. */
export interface CustomDomainProps {
  /** The API whose stage the domain serves. */
  readonly api: WebSocketApi;
  /** The domain clients connect to, e.g. `chat.example.com` (a token is fine). */
  readonly domainName: string;
  /** An ACM certificate for `domainName`, in the API's region (a token is fine). */
  readonly certificateArn: string;
  /**
   * How many of the domain and its mapping to make, 0 or 1: a token such as
   * `var.domain_name == "" ? 0 : 1`, so one synthesized module serves both cases.
   * @default - always made (no `count`)
   */
  readonly count?: number;
  /**
   * A Route 53 hosted zone for `domainName`: an alias record pointing the
   * name at the domain's regional target is made in it.
   * @default - no record; DNS is left to the caller (see {@link CustomDomain.targetDomainName})
   */
  readonly hostedZoneId?: string;
  /**
   * How many alias records to make, 0 or 1, when `hostedZoneId` is given
   * (it must be 0 whenever `count` is 0).
   * @default - the same as `count`
   */
  readonly recordCount?: number;
}

/**
 * A regional custom domain for a WebSocket API: the domain name (TLS 1.2 with
 * an ACM certificate), an API mapping with an empty key, so the stage is
 * served at the root (`wss://chat.example.com`, no stage segment), and
 * optionally a Route 53 alias record.
 *
 * Every resource may be counted (0 or 1), so references to them are written
 * by address with `[0]` rather than through the bindings, which would omit
 * the index.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-mappings.html
 */
export class CustomDomain extends Construct {
  readonly domain: Apigatewayv2DomainName;
  readonly mapping: Apigatewayv2ApiMapping;
  /** Present when `hostedZoneId` was given. */
  readonly record?: Route53Record;
  private readonly counted: boolean;

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    this.counted = props.count !== undefined;
    this.domain = new Apigatewayv2DomainName(this, "DomainName", {
      count: props.count,
      domainName: props.domainName,
      domainNameConfiguration: {
        certificateArn: props.certificateArn,
        // An edge-optimized name would put CloudFront in front; WebSocket APIs take regional ones only.
        endpointType: "REGIONAL",
        securityPolicy: "TLS_1_2",
      },
    });
    this.domain.overrideLogicalId("custom_domain");

    this.mapping = new Apigatewayv2ApiMapping(this, "ApiMapping", {
      count: props.count,
      apiId: props.api.api.id,
      // The domain's and the stage's names rather than their ids (the same values): known at plan, so plans show them.
      domainName: this.attribute(this.domain, "domain_name"),
      stage: props.api.stage.name,
      // No api_mapping_key: the stage answers at the root of the domain.
    });
    this.mapping.overrideLogicalId("custom_domain");

    if (props.hostedZoneId !== undefined) {
      this.record = new Route53Record(this, "AliasRecord", {
        count: props.recordCount ?? props.count,
        zoneId: props.hostedZoneId,
        name: this.attribute(this.domain, "domain_name"),
        // A only: the domain is IPv4 (API Gateway's default ip_address_type); an AAAA
        // alias needs a dualstack domain, which hashicorp/aws 5.100 cannot configure.
        type: "A",
        alias: {
          name: this.attribute(this.domain, "domain_name_configuration[0].target_domain_name"),
          zoneId: this.attribute(this.domain, "domain_name_configuration[0].hosted_zone_id"),
          evaluateTargetHealth: false,
        },
      });
      this.record.overrideLogicalId("custom_domain");
    }
  }

  /**
   * Where the domain's DNS must point: `{ target_domain_name, hosted_zone_id }`
   * (the regional host name for a CNAME or alias, and the alias's zone), or
   * null when the domain is not made. A for expression rather than `[0]`, so
   * it holds whether the domain is counted or not.
   */
  get target(): string {
    return Lazy.stringValue({
      produce: () => {
        const all = `${this.domain.terraformResourceType}.${this.domain.friendlyUniqueId}`;
        const d = "d.domain_name_configuration[0]";
        const each = `zipmap(["target_domain_name", "hosted_zone_id"], [${d}.target_domain_name, ${d}.hosted_zone_id])`;
        return this.counted ? `\${one([for d in ${all} : ${each}])}` : `\${one([for d in [${all}] : ${each}])}`;
      },
    });
  }

  // `type.name[0].path` when counted, else `type.name.path`: read at synth, so a later logical id override is honoured.
  private attribute(resource: TerraformResource, path: string): string {
    return Lazy.stringValue({ produce: () => `\${${this.address(resource)}.${path}}` });
  }

  private address(resource: TerraformResource): string {
    return `${resource.terraformResourceType}.${resource.friendlyUniqueId}${this.counted ? "[0]" : ""}`;
  }
}
