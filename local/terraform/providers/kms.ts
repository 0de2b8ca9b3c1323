import { optionalString, requiredString } from "./arguments.ts";
import { defineProvider, tagsAll } from "./computed.ts";
import { derivedUuid, generatedName } from "./derived-ids.ts";
import type { InstanceInputs, LocalProvider } from "./local-provider.ts";

/**
 * KMS keys and aliases: a key is known by a UUID-shaped key id, an alias by
 * its `alias/...` name.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
 */

function kmsArn(instance: InstanceInputs, resource: string): string {
  const { partition, region, accountId } = instance.context;
  return `arn:${partition}:kms:${region}:${accountId}:${resource}`;
}

const key = defineProvider("managed", "aws_kms_key", (instance) => {
  const keyId = () => derivedUuid(instance.address);
  return { id: keyId, key_id: keyId, arn: () => kmsArn(instance, `key/${keyId()}`), tags_all: tagsAll(instance) };
});

const alias = defineProvider("managed", "aws_kms_alias", (instance) => {
  // Unset, the provider generates the name after name_prefix, or after "alias/" when that is unset too.
  const name = () => optionalString(instance, "name") ?? generatedName(instance.address, optionalString(instance, "name_prefix") ?? "alias/");
  return {
    id: name,
    name,
    arn: () => kmsArn(instance, name()),
    target_key_arn: () => {
      const target = requiredString(instance, "target_key_id", "target_key_arn");
      return target.startsWith("arn:") ? target : kmsArn(instance, `key/${target}`);
    },
  };
});

/** The KMS providers. */
export const kmsProviders: readonly LocalProvider[] = [key, alias];
