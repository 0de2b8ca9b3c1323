/**
 * The ways Lambda lets a caller name a function: its name, its ARN or a
 * partial ARN, each optionally followed by `:<version or alias>`. The Invoke
 * API's `{FunctionName}` (lambda-api.ts) and an
 * `aws_lambda_function_event_invoke_config`'s `function_name` (plan.ts) are
 * read with the same rules.
 *
 *   my-function
 *   my-function:$LATEST
 *   arn:aws:lambda:us-west-2:123456789012:function:my-function[:qualifier]
 *   123456789012:function:my-function[:qualifier]
 *
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (FunctionName)
 */

export interface FunctionReference {
  readonly name: string;
  /** The version or alias after the name, when one was appended. */
  readonly qualifier?: string;
  /** Only in a full ARN. */
  readonly region?: string;
  /** In a full or partial ARN. */
  readonly accountId?: string;
}

// The API reference's pattern, with its groups named and the three forms kept apart.
const FULL_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const NAME = /^([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Undefined when the value is none of the accepted forms. */
export function parseFunctionReference(value: string): FunctionReference | undefined {
  const full = FULL_ARN.exec(value);
  if (full) return { region: full[1], accountId: full[2], name: full[3]!, qualifier: full[4] };
  const partial = PARTIAL_ARN.exec(value);
  if (partial) return { accountId: partial[1], name: partial[2]!, qualifier: partial[3] };
  const named = NAME.exec(value);
  if (named) return { name: named[1]!, qualifier: named[2] };
  return undefined;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` */
export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier === undefined ? "" : `:${qualifier}`}`;
}
