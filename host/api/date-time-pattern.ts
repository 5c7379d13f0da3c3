/**
 * Java DateTimeFormatter patterns, as Flink's DateTimeBucketAssigner formats its bucket ids with
 * them (`yyyy-MM-dd--HH`), for the fields a bucket name can use: parsed once, at the call that
 * gives the pattern, so that a letter Sluice does not format is refused there, not when the
 * first record is written. Formatting is in English, as Java's default locale usually is.
 *
 * Letters (the count of repeats matters, as in Java): y/u year (yy: its last two digits),
 * M/L month (M, MM, MMM "Nov", MMMM "November"), d day of month, D day of year, Q/q quarter,
 * E day of week ("Wed", EEEE "Wednesday"), a AM/PM, H hour 0-23, k 1-24, K 0-11, h 1-12,
 * m minute, s second, S fraction of the second (one digit per S), A millisecond of the day.
 * Text between single quotes is literal ('' is a quote); other characters that are not letters
 * are literal; `[` and `]` (Java's optional sections) only group, since every field is there.
 */
import { JobDefinitionError } from '../../shared/errors/errors.ts';

/** A point in time as a wall clock in some time zone shows it. */
export interface ZonedFields {
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  /** 0-23. */
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 1 (Monday) to 7 (Sunday), as Java's DayOfWeek. */
  dayOfWeek: number;
  /** 1-366. */
  dayOfYear: number;
}

type Token = { readonly literal: string } | { readonly letter: string; readonly count: number };

/** For each letter Sluice formats, the counts Java allows (the greatest; S and A take any). */
const MOST_LETTERS: Readonly<Record<string, number>> = {
  y: Infinity,
  u: Infinity,
  M: 4,
  L: 4,
  d: 2,
  D: 3,
  Q: 4,
  q: 4,
  E: 5,
  a: 1,
  H: 2,
  k: 2,
  K: 2,
  h: 2,
  m: 2,
  s: 2,
  S: 9,
  A: 19,
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const QUARTERS = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];

export class DateTimePattern {
  private constructor(
    readonly pattern: string,
    private readonly tokens: readonly Token[],
  ) {}

  /** `pattern` parsed, or a JobDefinitionError naming `call` and what in the pattern is wrong. */
  static parse(pattern: string, call: string): DateTimePattern {
    const refuse = (why: string): JobDefinitionError => new JobDefinitionError(`${call}: the format ${JSON.stringify(pattern)} ${why}`);
    const tokens: Token[] = [];
    let literal = '';
    let depth = 0;
    for (let i = 0; i < pattern.length; ) {
      const c = pattern[i]!;
      if (c === "'") {
        const end = quotedEnd(pattern, i);
        if (end === -1) throw refuse(`has a quote at ${i} that is not closed (write '' for a quote)`);
        literal += end === i + 1 ? "'" : pattern.slice(i + 1, end).replaceAll("''", "'");
        i = end + 1;
      } else if (/[A-Za-z]/.test(c)) {
        let count = 1;
        while (pattern[i + count] === c) count++;
        const most = MOST_LETTERS[c];
        if (most === undefined) {
          throw refuse(
            `has the pattern letter '${c}', which Sluice does not format (it formats y u M L d D Q q E a H k K h m s S A; quote literal text: '${c}')`,
          );
        }
        if (count > most) throw refuse(`has too many pattern letters '${c}' (${count}; at most ${most})`);
        if (literal !== '') tokens.push({ literal });
        literal = '';
        tokens.push({ letter: c, count });
        i += count;
      } else if (c === '#' || c === '{' || c === '}') {
        throw refuse(`has '${c}', which Java reserves (quote it: '${c}')`);
      } else {
        if (c === '[') depth++;
        else if (c !== ']') literal += c;
        else if (--depth < 0) throw refuse(`has a ']' at ${i} without a '[' before it`);
        i++;
      }
    }
    if (literal !== '') tokens.push({ literal });
    return new DateTimePattern(pattern, tokens);
  }

  format(t: ZonedFields): string {
    let out = '';
    for (const token of this.tokens) out += 'literal' in token ? token.literal : field(token.letter, token.count, t);
    return out;
  }
}

/** The index of the quote that closes the one at `start` ('' inside is a quote), or -1. */
function quotedEnd(pattern: string, start: number): number {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] !== "'") continue;
    if (pattern[i + 1] === "'" && i !== start + 1) i++;
    else return i;
  }
  return -1;
}

function field(letter: string, count: number, t: ZonedFields): string {
  switch (letter) {
    case 'y':
    case 'u':
      if (count === 2) return pad(((t.year % 100) + 100) % 100, 2);
      // Java's yyyy and longer sign a year that needs more digits than the letters.
      return `${count >= 4 && String(t.year).length > count ? '+' : ''}${pad(t.year, count)}`;
    case 'M':
    case 'L':
      return count >= 3 ? text(MONTHS[t.month - 1]!, count) : pad(t.month, count);
    case 'd':
      return pad(t.day, count);
    case 'D':
      return pad(t.dayOfYear, count);
    case 'Q':
    case 'q': {
      const quarter = Math.ceil(t.month / 3);
      return count === 3 ? `Q${quarter}` : count === 4 ? QUARTERS[quarter - 1]! : pad(quarter, count);
    }
    case 'E':
      return text(DAYS[t.dayOfWeek - 1]!, count === 5 ? 5 : Math.max(count, 3));
    case 'a':
      return t.hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(t.hour, count);
    case 'k':
      return pad(t.hour === 0 ? 24 : t.hour, count);
    case 'K':
      return pad(t.hour % 12, count);
    case 'h':
      return pad(t.hour % 12 === 0 ? 12 : t.hour % 12, count);
    case 'm':
      return pad(t.minute, count);
    case 's':
      return pad(t.second, count);
    case 'S':
      // The first `count` digits of the fraction (milliseconds, then zeros), not rounded.
      return pad(t.millisecond, 3).padEnd(9, '0').slice(0, count);
    case 'A':
      return pad(((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + t.millisecond, count);
    default:
      throw new Error(`DateTimePattern: no field for the letter ${letter}`);
  }
}

function pad(n: number, width: number): string {
  return n < 0 ? `-${String(-n).padStart(width, '0')}` : String(n).padStart(width, '0');
}

/** Short (3 letters: "Nov"), full (4: "November") or narrow (5: "N") text. */
function text(name: string, count: number): string {
  return count === 3 ? name.slice(0, 3) : count === 5 ? name.slice(0, 1) : name;
}

/**
 * Epoch milliseconds as the clocks of an IANA time zone show them. The zone's offset comes from
 * Intl (its rules, daylight saving time included), the rest from UTC arithmetic.
 */
export class ZoneClock {
  private readonly parts: Intl.DateTimeFormat;

  /** `zone` must be an id Intl knows (see zoneIdProblem). */
  constructor(readonly zone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  fieldsAt(epochMs: number): ZonedFields {
    const got: Record<string, string> = {};
    for (const p of this.parts.formatToParts(epochMs)) got[p.type] = p.value;
    const yearOfEra = Number(got.year);
    const year = got.era === 'BC' || got.era === 'B' ? 1 - yearOfEra : yearOfEra;
    const millisecond = ((epochMs % 1000) + 1000) % 1000;
    const local = new Date(0);
    local.setUTCFullYear(year, Number(got.month) - 1, Number(got.day));
    local.setUTCHours(Number(got.hour), Number(got.minute), Number(got.second), millisecond);
    const startOfYear = new Date(0);
    startOfYear.setUTCFullYear(year, 0, 1);
    return {
      year,
      month: Number(got.month),
      day: Number(got.day),
      hour: Number(got.hour),
      minute: Number(got.minute),
      second: Number(got.second),
      millisecond,
      dayOfWeek: ((local.getUTCDay() + 6) % 7) + 1,
      dayOfYear: Math.floor((local.getTime() - startOfYear.getTime()) / 86_400_000) + 1,
    };
  }
}

/** Why `zone` is no time zone id Sluice can use, or null when it is one. */
export function zoneIdProblem(zone: unknown): string | null {
  if (typeof zone !== 'string' || zone === '') return 'must be a time zone id (IANA, such as "UTC" or "Europe/Berlin")';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return 'is no time zone id Sluice knows (an IANA id, such as "UTC" or "Europe/Berlin")';
  }
}

/** The machine's time zone, as Java's ZoneId.systemDefault() (TZ, or the system's setting). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
