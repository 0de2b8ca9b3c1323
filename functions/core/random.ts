/** The randomness port: message ids and guest names. Tests pass a predictable one. */
export interface Random {
  /** A unique id, e.g. a UUID. */
  uuid(): string;
  /** `length` characters drawn uniformly from `alphabet`. */
  chars(alphabet: string, length: number): string;
}

/** Web Crypto randomness (global in Node 20 and on Lambda), so the core imports no Node module. */
export function systemRandom(): Random {
  return {
    uuid: () => crypto.randomUUID(),
    chars: (alphabet, length) => {
      let text = "";
      // Rejection sampling keeps every character equally likely.
      const limit = 256 - (256 % alphabet.length);
      while (text.length < length) {
        for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
          if (byte < limit && text.length < length) text += alphabet[byte % alphabet.length];
        }
      }
      return text;
    },
  };
}
