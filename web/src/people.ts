/**
 * Telling people apart. Display names are chosen by their users, so two
 * people can show names that look alike ("aIice" with a capital i beside
 * "alice") or use one name at different times. The server gives every
 * person a stable user id derived from their verified identity
 * (contract/frames.ts); the page shows a short marker derived from it next
 * to every name, and flags every name that looks like a name another id
 * has used while this page was open.
 *
 * `⚠ look-alike name — not #AB12` beside each name is the page's way of
 * saying "aIice #XY12 is not the alice you talked to before".
 *
 * Nothing here touches the DOM: the view renders what these functions say.
 */

/** A person as a frame names them. */
export interface Person {
  readonly userId: string;
  readonly name: string;
}

/**
 * Crockford's base32: digits and capitals without I, L, O and U, so a tag
 * has no look-alike characters of its own (no `Il1O0` puzzle in "#I1lO").
 */
const TAG_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/** Characters in a tag: 20 bits. The warnings compare full ids; the tag only helps eyes. */
const TAG_LENGTH = 4;
/** Colour buckets (style.css has one rule per `data-hue`). */
export const HUES = 12;

/**
 * A user id's marker: `#` and 4 characters, and one of HUES colours, the same
 * on every page for the same id. Empty id (messages stored before ids
 * existed): no marker.
 */
export interface UserMarker {
  readonly tag: string;
  readonly hue: number;
}

export function userMarker(userId: string): UserMarker | undefined {
  if (userId === "") return undefined;
  const hash = fnv1a(userId);
  let tag = "#";
  for (let i = 0; i < TAG_LENGTH; i += 1) tag += TAG_ALPHABET[(hash >>> (5 * i)) & 31];
  return { tag, hue: (hash >>> (5 * TAG_LENGTH)) % HUES };
}

/** `#AB12`, or "" for an empty id. */
export function userTag(userId: string): string {
  return userMarker(userId)?.tag ?? "";
}

/**
 * FNV-1a, 32 bits. Not a security hash, and it needs not be one: the ids
 * are already hashes the server computed from identities nobody can
 * choose freely, and no decision rests on the tag alone.
 */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * What a name looks like, roughly: case folded, compatibility forms
 * unified (NFKC: full-width letters), the separators `.`, `_`, `-` and
 * spaces dropped, and the usual look-alikes in sans-serif fonts made one:
 * `I`, `i`, `l`, `1`, `|`, `!` → `l`; `0` → `o`; `rn` → `m`; `vv` → `w`.
 * Two names with one skeleton can pass for each other. Deliberately small:
 * the naming rules already keep names to ASCII (contract/names.ts).
 */
export function nameSkeleton(name: string): string {
  return name
    .normalize("NFKC")
    .toUpperCase()
    .toLowerCase()
    .replace(/[\s._-]/g, "")
    .replace(/rn/g, "m")
    .replace(/vv/g, "w")
    .replace(/[il1|!]/g, "l")
    .replace(/0/g, "o");
}

/** Whether two names can pass for each other: equal case-insensitively, or with one skeleton. */
export function looksAlike(a: string, b: string): boolean {
  return nameSkeleton(a) === nameSkeleton(b);
}

/**
 * Everyone this page has seen (in messages, history, member lists,
 * presence, typing and private messages), by user id, with every name each
 * one used, and which ids are the page's own. Kept for the life of the page
 * so that a name someone else used earlier still counts: "not the alice you
 * talked to before".
 */
export class People {
  /** user id → names it was seen with, in the order first seen. */
  private readonly namesById = new Map<string, Set<string>>();
  /** skeleton → user id → one of its names with that skeleton. */
  private readonly bySkeleton = new Map<string, Map<string, string>>();
  /**
   * The page's own ids: more than one when the API has no authorizer, where
   * every connection is its own user, so a reconnect brings a new id.
   */
  private readonly own = new Set<string>();
  /** The own id as guessed before the server said it (see ChatClient's `userId`). */
  private guess: string | undefined;

  /** Records that `userId` showed `name`; true when that pair is new. Ids that are empty (old history) are not people. */
  see(userId: string, name: string): boolean {
    if (userId === "") return false;
    const names = this.namesById.get(userId) ?? new Set<string>();
    if (names.has(name)) return false;
    names.add(name);
    this.namesById.set(userId, names);
    const skeleton = nameSkeleton(name);
    const ids = this.bySkeleton.get(skeleton) ?? new Map<string, string>();
    if (!ids.has(userId)) ids.set(userId, name);
    this.bySkeleton.set(skeleton, ids);
    return true;
  }

  /**
   * Records the page's own id. `sure` when the server said it about this
   * connection: kept for the life of the page. Otherwise a guess, which the
   * next call replaces (`undefined` drops it).
   */
  setOwn(userId: string | undefined, sure: boolean): void {
    this.guess = undefined;
    if (userId === undefined || userId === "") return;
    if (sure) this.own.add(userId);
    else if (!this.own.has(userId)) this.guess = userId;
  }

  isOwn(userId: string): boolean {
    return userId !== "" && (this.own.has(userId) || this.guess === userId);
  }

  /**
   * The other people whose names look like `name` as `userId` shows it: each
   * other id once (the page's own ids count as one person, "you"). Empty when
   * nobody else has used a name like it.
   */
  lookalikes(userId: string, name: string): Person[] {
    const ids = this.bySkeleton.get(nameSkeleton(name));
    if (ids === undefined || userId === "") return [];
    const others: Person[] = [];
    let ownListed = this.isOwn(userId);
    for (const [otherId, otherName] of ids) {
      if (otherId === userId) continue;
      if (this.isOwn(otherId)) {
        if (ownListed) continue;
        ownListed = true;
      }
      others.push({ userId: otherId, name: otherName });
    }
    return others;
  }
}

/**
 * The warning shown beside a name that looks like someone else's, e.g.
 * `⚠ look-alike name — not you` or `⚠ look-alike name — not #AB12`;
 * undefined when there is nobody to confuse it with. The others are named by
 * marker only: their names would look just like this one.
 */
export function lookalikeWarning(people: People, person: Person): string | undefined {
  const others = people.lookalikes(person.userId, person.name);
  if (others.length === 0) return undefined;
  return `⚠ look-alike name — not ${others.map((other) => (people.isOwn(other.userId) ? "you" : userTag(other.userId))).join(", not ")}`;
}

/** The longer explanation (the warning's tooltip). */
export function lookalikeExplanation(people: People, person: Person): string | undefined {
  const others = people.lookalikes(person.userId, person.name);
  if (others.length === 0) return undefined;
  const whom = others.map((other) => (people.isOwn(other.userId) ? "you" : `“${other.name}” (${userTag(other.userId)})`)).join(" and ");
  return `“${person.name}” (${userTag(person.userId)}) is a different person from ${whom}, with a name that looks the same. Tell them apart by the # marker.`;
}
