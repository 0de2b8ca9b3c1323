import { optionalString } from "./arguments.ts";
import { defineProvider, unavailable } from "./computed.ts";
import { derivedId } from "./derived-ids.ts";
import type { LocalProvider } from "./local-provider.ts";
import { dnsSuffix, reverseDnsPrefix } from "./partition.ts";

/**
 * The data sources that describe where the stack runs. The real ones ask the
 * provider configuration (region, partition) or STS (caller identity); these
 * answer from the emulator's `ProviderContext`.
 */

/**
 * Region descriptions as the AWS provider 5.100 reports them (each checked
 * with `terraform plan` of `data "aws_region"` for every name listed).
 */
const REGION_DESCRIPTIONS: Readonly<Record<string, string>> = {
  "af-south-1": "Africa (Cape Town)",
  "ap-east-1": "Asia Pacific (Hong Kong)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-south-2": "Asia Pacific (Hyderabad)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-southeast-3": "Asia Pacific (Jakarta)",
  "ap-southeast-4": "Asia Pacific (Melbourne)",
  "ap-southeast-5": "Asia Pacific (Malaysia)",
  "ap-southeast-7": "Asia Pacific (Thailand)",
  "ca-central-1": "Canada (Central)",
  "ca-west-1": "Canada West (Calgary)",
  "eu-central-1": "Europe (Frankfurt)",
  "eu-central-2": "Europe (Zurich)",
  "eu-north-1": "Europe (Stockholm)",
  "eu-south-1": "Europe (Milan)",
  "eu-south-2": "Europe (Spain)",
  "eu-west-1": "Europe (Ireland)",
  "eu-west-2": "Europe (London)",
  "eu-west-3": "Europe (Paris)",
  "il-central-1": "Israel (Tel Aviv)",
  "me-central-1": "Middle East (UAE)",
  "me-south-1": "Middle East (Bahrain)",
  "mx-central-1": "Mexico (Central)",
  "sa-east-1": "South America (Sao Paulo)",
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
};

const region = defineProvider("data", "aws_region", (instance) => {
  // `name` (v5) or `region` (v6) selects another region; unset, it is the provider's.
  const name = () => optionalString(instance, "region") ?? optionalString(instance, "name") ?? instance.context.region;
  return {
    id: name,
    name,
    region: name,
    endpoint: () => `ec2.${name()}.${dnsSuffix(instance.context)}`,
    description: () => REGION_DESCRIPTIONS[name()] ?? unavailable(`the emulator has no description for region ${name()}`),
  };
});

/**
 * A stand-in for the STS caller identity: the emulator has no credentials, so
 * the caller is a fictitious IAM user `wsstack-local` in the configured account.
 */
const callerIdentity = defineProvider("data", "aws_caller_identity", (instance) => {
  const { partition, accountId } = instance.context;
  return {
    id: () => accountId,
    account_id: () => accountId,
    arn: () => `arn:${partition}:iam::${accountId}:user/wsstack-local`,
    // An IAM user's unique id: AIDA and 17 uppercase alphanumerics.
    user_id: () => `AIDA${derivedId(`caller-user-id\0${accountId}`, 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}`,
  };
});

const partition = defineProvider("data", "aws_partition", (instance) => ({
  id: () => instance.context.partition,
  partition: () => instance.context.partition,
  dns_suffix: () => dnsSuffix(instance.context),
  reverse_dns_prefix: () => reverseDnsPrefix(instance.context),
}));

/** The `aws_region`, `aws_caller_identity` and `aws_partition` data sources. */
export const awsContextProviders: readonly LocalProvider[] = [region, callerIdentity, partition];
