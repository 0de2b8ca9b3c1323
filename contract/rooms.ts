/**
 * Room names: the rules every part applies the same way (the handlers, the
 * browser page), so that two spellings a person cannot tell apart name one
 * room.
 *
 * Part of the contract: no imports.
 */

/** Counted in code points (an emoji is one), after NFC normalization. */
export const MAX_ROOM_NAME_LENGTH = 128;

/**
 * The match key's UTF-8 size at most: it is part of DynamoDB keys (the
 * membership's sort key `ROOM#<key>` may hold 1,024 bytes). A few
 * characters grow under NFKC (U+FDFA becomes 18 characters), so 128 of them
 * could otherwise make a key DynamoDB refuses.
 */
export const MAX_ROOM_KEY_BYTES = 512;

export const ROOM_NAME_RULES = `1 to ${MAX_ROOM_NAME_LENGTH} characters (at most ${MAX_ROOM_KEY_BYTES} bytes once normalized), with no control, format or invisible characters and no spaces but single ones between words`;

/**
 * Characters a room name may not hold: controls (Cc), format characters (Cf:
 * bidi overrides, zero-width joiners), every default-ignorable code point
 * (zero-width space, word joiner, variation selectors, Hangul fillers), line
 * and paragraph separators, and unassigned or private-use code points. Such
 * characters are invisible, so `lobby\u200b` would look like `lobby`.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}]/u;

/** Any whitespace but single spaces between words. */
const BAD_SPACING = /^\s|\s$|\s\s|[^\S ]/u;

/** A lone UTF-16 surrogate: JSON may carry one (`"\ud800"`), but it is no character. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A room name that follows the rules: how it is shown and what it is matched by. */
export interface RoomName {
  /** The name in NFC, as it was spelled. The first spelling used for a room is the one every frame shows. */
  readonly display: string;
  /**
   * What rooms are matched by: NFKC with case folded, so `Lobby`, `LOBBY`
   * and full-width `ｌｏｂｂｙ` are one room.
   */
  readonly key: string;
}

/** The room name `raw` follows the rules, or undefined when it does not (see ROOM_NAME_RULES). */
export function parseRoomName(raw: unknown): RoomName | undefined {
  if (typeof raw !== "string" || LONE_SURROGATE.test(raw)) return undefined;
  const display = raw.normalize("NFC");
  const length = [...display].length;
  if (length < 1 || length > MAX_ROOM_NAME_LENGTH || FORBIDDEN.test(display) || BAD_SPACING.test(display)) return undefined;
  const key = roomKey(display);
  if (new TextEncoder().encode(key).length > MAX_ROOM_KEY_BYTES) return undefined;
  return { display, key };
}

/** The match key of a valid room name (see RoomName.key). */
export function roomKey(name: string): string {
  // Upper then lower folds `ß` with `SS` and final sigma with sigma, which lowercasing alone does not.
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}
