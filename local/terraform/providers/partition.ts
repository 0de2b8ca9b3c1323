import type { ProviderContext } from "./local-provider.ts";

/**
 * What the AWS partition decides: the DNS suffix of service endpoints and
 * the reverse DNS prefix, as `data.aws_partition` reports them.
 *
 * @see https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
 */

const DNS_SUFFIXES: Readonly<Record<string, string>> = {
  aws: "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
  "aws-us-gov": "amazonaws.com",
  "aws-iso": "c2s.ic.gov",
  "aws-iso-b": "sc2s.sgov.gov",
  "aws-iso-e": "cloud.adc-e.uk",
  "aws-iso-f": "csp.hci.ic.gov",
};

/** `amazonaws.com`, or the suffix of another partition. */
export function dnsSuffix(context: ProviderContext): string {
  return DNS_SUFFIXES[context.partition] ?? "amazonaws.com";
}

/** `com.amazonaws`: the DNS suffix reversed. */
export function reverseDnsPrefix(context: ProviderContext): string {
  return dnsSuffix(context).split(".").reverse().join(".");
}
