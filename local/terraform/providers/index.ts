import { apigatewayv2Providers } from "./apigatewayv2.ts";
import { archiveProviders } from "./archive-file.ts";
import { awsContextProviders } from "./aws-data-sources.ts";
import { cloudwatchLogsProviders } from "./cloudwatch-logs.ts";
import { dynamodbProviders } from "./dynamodb.ts";
import { genericProvider } from "./generic.ts";
import { iamPolicyDocumentProviders } from "./iam-policy-document.ts";
import { iamProviders } from "./iam.ts";
import { kmsProviders } from "./kms.ts";
import { lambdaProviders } from "./lambda.ts";
import { UnknownAttributeError, type InstanceInputs, type LocalProvider } from "./local-provider.ts";
import { messagingProviders } from "./messaging.ts";

/**
 * The emulator's local providers, by mode and type. The module evaluator asks
 * {@link localProviderFor} for an instance's provider and falls back to
 * {@link genericProvider} (an `id` only) for the types it does not know.
 */

export { ArchiveSourceError, UnsupportedArchiveTypeError } from "./archive-file.ts";
export { genericProvider } from "./generic.ts";
export { InvalidArgumentError, MissingArgumentError, UnknownAttributeError } from "./local-provider.ts";
export type { InstanceInputs, LocalProvider, ProviderContext } from "./local-provider.ts";

const ALL: readonly LocalProvider[] = [
  ...apigatewayv2Providers,
  ...lambdaProviders,
  ...dynamodbProviders,
  ...iamProviders,
  ...iamPolicyDocumentProviders,
  ...cloudwatchLogsProviders,
  ...messagingProviders,
  ...kmsProviders,
  ...awsContextProviders,
  ...archiveProviders,
];

const BY_KEY = new Map(ALL.map((provider) => [`${provider.mode}.${provider.type}`, provider]));

/** The provider of a resource (`managed`) or data source (`data`) type, or undefined when the emulator has none. */
export function localProviderFor(mode: "managed" | "data", type: string): LocalProvider | undefined {
  return BY_KEY.get(`${mode}.${type}`);
}

/** The provider of a type, or the generic one (an `id` only) when the emulator has none. */
export function providerFor(mode: "managed" | "data", type: string): LocalProvider {
  return localProviderFor(mode, type) ?? genericProvider(mode, type);
}

/** The resource and data source types the emulator has a provider for, as `aws_lambda_function` and `data.aws_region`. */
export function modeledTypes(): string[] {
  return ALL.map((provider) => (provider.mode === "data" ? `data.${provider.type}` : provider.type)).sort();
}

/**
 * The error for reading `attribute` of an instance when it is neither
 * configured nor filled by the provider: names what the provider does model,
 * and says so when the type has no provider at all.
 */
export function unknownAttribute(instance: InstanceInputs, attribute: string): UnknownAttributeError {
  const provider = localProviderFor(instance.mode, instance.type);
  const modeled = Object.keys(providerFor(instance.mode, instance.type).attributes(instance));
  return new UnknownAttributeError(instance.address, instance.type, attribute, modeled, provider === undefined ? "the emulator has no local provider for this type" : undefined);
}
