/** Reading handler settings from the environment, failing loudly on bad values. */

export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable the handler needs is missing or unusable: a deployment fault, not a client error. */
export class InvalidEnvironmentError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    readonly expected: string,
  ) {
    super(value === undefined ? `${variable} is not set; expected ${expected}.` : `${variable} is ${JSON.stringify(value)}; expected ${expected}.`);
    this.name = "InvalidEnvironmentError";
  }
}

export function requiredString(env: Environment, variable: string): string {
  const value = env[variable];
  if (value === undefined || value === "") {
    throw new InvalidEnvironmentError(variable, value, "a non-empty string");
  }
  return value;
}

export function optionalString(env: Environment, variable: string, fallback: string): string {
  const value = env[variable];
  return value === undefined || value === "" ? fallback : value;
}

/** An unset or empty variable takes the fallback; a set one must be a whole number of at least 1. */
export function positiveInteger(env: Environment, variable: string, fallback: number): number {
  const value = env[variable];
  if (value === undefined || value.trim() === "") {
    return fallback;
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new InvalidEnvironmentError(variable, value, "a whole number of at least 1");
  }
  return number;
}
