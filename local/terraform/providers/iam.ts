import { optionalString, requiredString } from "./arguments.ts";
import { defineProvider, tagsAll } from "./computed.ts";
import { generatedName, iamUniqueId, LOCAL_CREATION_TIME } from "./derived-ids.ts";
import { InvalidArgumentError, type InstanceInputs, type LocalProvider } from "./local-provider.ts";

/**
 * IAM roles and policies. IAM is global: its ARNs have no region
 * (`arn:aws:iam::<account>:role/<path><name>`). A role or policy without a
 * `name` gets one generated as Terraform does (`terraform-` and 26 characters,
 * or after `name_prefix`), derived from the address so it is the same each run.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
 */

/** `name`, else a generated one after `name_prefix`. */
function nameOrGenerated(instance: InstanceInputs): string {
  return optionalString(instance, "name") ?? generatedName(instance.address, optionalString(instance, "name_prefix") ?? "terraform-");
}

/** `path`, which IAM requires to begin and end with `/`. @default "/" */
function iamPath(instance: InstanceInputs): string {
  const value = optionalString(instance, "path") ?? "/";
  if (!value.startsWith("/") || !value.endsWith("/")) throw new InvalidArgumentError(instance.address, "path", `"${value}" must begin and end with "/"`);
  return value;
}

function iamArn(instance: InstanceInputs, kind: string, pathAndName: string): string {
  return `arn:${instance.context.partition}:iam::${instance.context.accountId}:${kind}${pathAndName}`;
}

const role = defineProvider("managed", "aws_iam_role", (instance) => {
  const name = () => nameOrGenerated(instance);
  return {
    id: name,
    name,
    arn: () => iamArn(instance, "role", `${iamPath(instance)}${name()}`),
    unique_id: () => iamUniqueId("AROA", instance.address),
    create_date: () => LOCAL_CREATION_TIME.toISOString().replace(".000Z", "Z"),
    tags_all: tagsAll(instance),
  };
});

const policy = defineProvider("managed", "aws_iam_policy", (instance) => {
  const name = () => nameOrGenerated(instance);
  const arn = () => iamArn(instance, "policy", `${iamPath(instance)}${name()}`);
  return {
    // The provider identifies a managed policy by its ARN.
    id: arn,
    arn,
    name,
    policy_id: () => iamUniqueId("ANPA", instance.address),
    attachment_count: () => 0,
    tags_all: tagsAll(instance),
  };
});

const rolePolicy = defineProvider("managed", "aws_iam_role_policy", (instance) => {
  const name = () => nameOrGenerated(instance);
  return {
    // `<role name>:<policy name>`, as the provider's import id.
    id: () => `${requiredString(instance, "role", "the id")}:${name()}`,
    name,
  };
});

const rolePolicyAttachment = defineProvider("managed", "aws_iam_role_policy_attachment", (instance) => ({
  // The provider's id: the role name, a dash, and a generated unique suffix.
  id: () => generatedName(instance.address, `${requiredString(instance, "role", "the id")}-`),
}));

/** The IAM providers (not the policy document data source, which has its own file). */
export const iamProviders: readonly LocalProvider[] = [role, policy, rolePolicy, rolePolicyAttachment];
