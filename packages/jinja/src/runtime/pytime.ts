/**
 * Python's `datetime` module as templates see it. A JavaScript `Date` stands for a naive
 * `datetime.datetime` (read in local time, a wall-clock value); `PyDate` is a `datetime.date`,
 * `PyTime` a `datetime.time` and `TimeDelta` a `datetime.timedelta`. Arithmetic follows Python:
 * datetime - datetime → timedelta, datetime ± timedelta → datetime, date ± timedelta → date.
 * This module imports no other engine module except leaves, so the operators can use it freely.
 */
import { isoformat, strftime } from '../builtins/datetime.js';
import { Kwargs } from './calls.js';
import { makeFloat, PyFloat } from './pyfloat.js';

const US_PER_DAY = 86_400_000_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function typeError(message: string): TypeError {
  return new TypeError(message);
}

function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw typeError(`unsupported type for timedelta ${what} component: ${v === null ? 'NoneType' : typeof v}`);
}

/** Keyword arguments of a call (the trailing Kwargs), or an options object passed from JavaScript. */
function kwargsOf(args: readonly unknown[]): Record<string, unknown> {
  const last = args[args.length - 1];
  if (last instanceof Kwargs) return last;
  return {};
}

/** The parts of a timedelta: `days`, `seconds`, `microseconds`, ... (Python's keyword names). */
export interface TimeDeltaParts {
  days?: number;
  seconds?: number;
  microseconds?: number;
  milliseconds?: number;
  minutes?: number;
  hours?: number;
  weeks?: number;
}

/**
 * Python's `datetime.timedelta`: a duration normalised like Python's (`days` may be negative,
 * `0 <= seconds < 86400`, `0 <= microseconds < 1e6`). Prints `3 days, 22:30:00`.
 */
export class TimeDelta {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;

  /** `new TimeDelta({ days: 3, hours: 2 })` (Python's keywords) or `new TimeDelta(days, seconds, microseconds)`. */
  constructor(parts: TimeDeltaParts | number = {}, seconds = 0, microseconds = 0) {
    let total: number;
    if (typeof parts === 'number') total = parts * US_PER_DAY + seconds * 1e6 + microseconds;
    else {
      const p = parts instanceof Kwargs ? (parts as TimeDeltaParts) : parts;
      total =
        num(p.days ?? 0, 'days') * US_PER_DAY +
        num(p.seconds ?? 0, 'seconds') * 1e6 +
        num(p.microseconds ?? 0, 'microseconds') +
        num(p.milliseconds ?? 0, 'milliseconds') * 1e3 +
        num(p.minutes ?? 0, 'minutes') * 6e7 +
        num(p.hours ?? 0, 'hours') * 3.6e9 +
        num(p.weeks ?? 0, 'weeks') * 7 * US_PER_DAY;
    }
    total = Math.round(total);
    const days = Math.floor(total / US_PER_DAY);
    const rest = total - days * US_PER_DAY;
    this.days = days;
    this.seconds = Math.floor(rest / 1e6);
    this.microseconds = rest - this.seconds * 1e6;
  }

  /** A timedelta of `us` microseconds. */
  static fromMicroseconds(us: number): TimeDelta {
    return new TimeDelta({ microseconds: us });
  }

  /** The whole duration in microseconds. */
  get totalMicroseconds(): number {
    return this.days * US_PER_DAY + this.seconds * 1e6 + this.microseconds;
  }

  /** Python's `total_seconds()` (a float). */
  total_seconds(): number | PyFloat {
    return makeFloat(this.totalMicroseconds / 1e6);
  }

  /** JavaScript spelling of `total_seconds()`. */
  totalSeconds(): number {
    return this.totalMicroseconds / 1e6;
  }

  valueOf(): number {
    return this.totalMicroseconds;
  }

  toString(): string {
    const h = Math.floor(this.seconds / 3600);
    const m = Math.floor((this.seconds % 3600) / 60);
    const s = this.seconds % 60;
    let out = `${h}:${pad(m)}:${pad(s)}`;
    if (this.microseconds) out += `.${pad(this.microseconds, 6)}`;
    if (this.days) out = `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ${out}`;
    return out;
  }

  /** Python's `repr()`: `datetime.timedelta(days=1)`, `datetime.date(2024, 3, 14)`, ... */
  __repr__(): string {
    const parts: string[] = [];
    if (this.days) parts.push(`days=${this.days}`);
    if (this.seconds) parts.push(`seconds=${this.seconds}`);
    if (this.microseconds) parts.push(`microseconds=${this.microseconds}`);
    return `datetime.timedelta(${parts.join(', ')})`;
  }

  toJSON(): number {
    return this.totalSeconds();
  }

  /** Python's `==`: equal values of the same type. */
  __eq__(o: unknown): boolean {
    return o instanceof TimeDelta && o.totalMicroseconds === this.totalMicroseconds;
  }
  /** Python's `<` (TypeError against another type). */
  __lt__(o: unknown): boolean {
    return this.totalMicroseconds < otherDelta(o, '<');
  }
  /** Python's `<=`. */
  __le__(o: unknown): boolean {
    return this.totalMicroseconds <= otherDelta(o, '<=');
  }
  /** Python's `>`. */
  __gt__(o: unknown): boolean {
    return this.totalMicroseconds > otherDelta(o, '>');
  }
  /** Python's `>=`. */
  __ge__(o: unknown): boolean {
    return this.totalMicroseconds >= otherDelta(o, '>=');
  }
}

function otherDelta(o: unknown, op: string): number {
  if (o instanceof TimeDelta) return o.totalMicroseconds;
  throw typeError(`'${op}' not supported between instances of 'timedelta' and '${pyTypeName(o)}'`);
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof Date) return 'datetime';
  if (v instanceof PyDate) return 'date';
  if (v instanceof PyTime) return 'time';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  return typeof v;
}

/** Python's `datetime.date`: a calendar day without a time. Prints `2024-03-14`. */
export class PyDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;

  /** A calendar day; ValueError (by name) for a day the month does not have. */
  constructor(year: number, month: number, day: number) {
    const d = new Date(Date.UTC(year, month - 1, day));
    d.setUTCFullYear(year);
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
      const e = new Error('day is out of range for month');
      e.name = 'ValueError';
      throw e;
    }
    this.year = year;
    this.month = month;
    this.day = day;
  }

  /** The day of a JavaScript Date (its local calendar day). */
  static fromDate(d: Date): PyDate {
    return new PyDate(d.getFullYear(), d.getMonth() + 1, d.getDate());
  }

  /** Days since 0001-01-01 plus one (Python's `toordinal()`). */
  toordinal(): number {
    return Math.round(utcDays(this.year, this.month, this.day)) + ORDINAL_OF_EPOCH;
  }

  /** The same day as a local-time JavaScript Date at midnight. */
  toDate(): Date {
    const d = new Date(this.year, this.month - 1, this.day);
    d.setFullYear(this.year);
    return d;
  }

  /** Python's `isoformat()`. */
  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
  }
  /** Python's `strftime(format)` (C locale). */
  strftime(fmt: unknown): string {
    return strftime(this.toDate(), String(fmt));
  }
  /** Python's `ctime()`: `Thu Mar 14 00:00:00 2024`. */
  ctime(): string {
    return strftime(this.toDate(), '%c');
  }
  /** Monday is 0. */
  weekday(): number {
    return (this.toDate().getDay() + 6) % 7;
  }
  /** Monday is 1. */
  isoweekday(): number {
    return this.toDate().getDay() || 7;
  }
  /** A copy with some fields changed, by position or keyword (`replace(day=1)`). */
  replace(...args: unknown[]): PyDate {
    const k = kwargsOf(args);
    const pos = args.filter((a) => !(a instanceof Kwargs));
    return new PyDate(
      num(pos[0] ?? k.year ?? this.year, 'year'),
      num(pos[1] ?? k.month ?? this.month, 'month'),
      num(pos[2] ?? k.day ?? this.day, 'day'),
    );
  }
  toString(): string {
    return this.isoformat();
  }
  /** Python's `repr()`: `datetime.timedelta(days=1)`, `datetime.date(2024, 3, 14)`, ... */
  __repr__(): string {
    return `datetime.date(${this.year}, ${this.month}, ${this.day})`;
  }
  toJSON(): string {
    return this.isoformat();
  }
  valueOf(): number {
    return utcDays(this.year, this.month, this.day);
  }
  /** Python's `==`: equal values of the same type. */
  __eq__(o: unknown): boolean {
    return o instanceof PyDate && o.valueOf() === this.valueOf();
  }
  /** Python's `<` (TypeError against another type). */
  __lt__(o: unknown): boolean {
    return this.valueOf() < otherDate(o, '<');
  }
  /** Python's `<=`. */
  __le__(o: unknown): boolean {
    return this.valueOf() <= otherDate(o, '<=');
  }
  /** Python's `>`. */
  __gt__(o: unknown): boolean {
    return this.valueOf() > otherDate(o, '>');
  }
  /** Python's `>=`. */
  __ge__(o: unknown): boolean {
    return this.valueOf() >= otherDate(o, '>=');
  }
}

/** 0001-01-01 is ordinal 1; 1970-01-01 is ordinal 719163. */
const ORDINAL_OF_EPOCH = 719163;

function utcDays(y: number, m: number, d: number): number {
  const t = new Date(Date.UTC(2000, m - 1, d));
  t.setUTCFullYear(y);
  return t.getTime() / 86_400_000;
}

function otherDate(o: unknown, op: string): number {
  if (o instanceof PyDate) return o.valueOf();
  throw typeError(`'${op}' not supported between instances of 'date' and '${pyTypeName(o)}'`);
}

/** Python's `datetime.time`: a wall-clock time of day. Prints `08:30:00`. */
export class PyTime {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  readonly tzinfo = null;

  /** A time of day. */
  constructor(hour = 0, minute = 0, second = 0, microsecond = 0) {
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.microsecond = microsecond;
  }

  private toDate(): Date {
    return new Date(1900, 0, 1, this.hour, this.minute, this.second, Math.floor(this.microsecond / 1000));
  }
  /** Python's `isoformat()`. */
  isoformat(): string {
    const base = `${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}`;
    return this.microsecond ? `${base}.${pad(this.microsecond, 6)}` : base;
  }
  /** Python's `strftime(format)` (C locale). */
  strftime(fmt: unknown): string {
    return strftime(this.toDate(), String(fmt));
  }
  /** A copy with some fields changed, by position or keyword (`replace(day=1)`). */
  replace(...args: unknown[]): PyTime {
    const k = kwargsOf(args);
    const pos = args.filter((a) => !(a instanceof Kwargs));
    return new PyTime(
      num(pos[0] ?? k.hour ?? this.hour, 'hour'),
      num(pos[1] ?? k.minute ?? this.minute, 'minute'),
      num(pos[2] ?? k.second ?? this.second, 'second'),
      num(pos[3] ?? k.microsecond ?? this.microsecond, 'microsecond'),
    );
  }
  toString(): string {
    return this.isoformat();
  }
  /** Python's `repr()`: `datetime.timedelta(days=1)`, `datetime.date(2024, 3, 14)`, ... */
  __repr__(): string {
    const parts = [this.hour, this.minute];
    if (this.second || this.microsecond) parts.push(this.second);
    if (this.microsecond) parts.push(this.microsecond);
    return `datetime.time(${parts.join(', ')})`;
  }
  toJSON(): string {
    return this.isoformat();
  }
  valueOf(): number {
    return ((this.hour * 60 + this.minute) * 60 + this.second) * 1e6 + this.microsecond;
  }
  /** Python's `==`: equal values of the same type. */
  __eq__(o: unknown): boolean {
    return o instanceof PyTime && o.valueOf() === this.valueOf();
  }
  /** Python's `<` (TypeError against another type). */
  __lt__(o: unknown): boolean {
    return this.valueOf() < otherTime(o, '<');
  }
  /** Python's `<=`. */
  __le__(o: unknown): boolean {
    return this.valueOf() <= otherTime(o, '<=');
  }
  /** Python's `>`. */
  __gt__(o: unknown): boolean {
    return this.valueOf() > otherTime(o, '>');
  }
  /** Python's `>=`. */
  __ge__(o: unknown): boolean {
    return this.valueOf() >= otherTime(o, '>=');
  }
}

function otherTime(o: unknown, op: string): number {
  if (o instanceof PyTime) return o.valueOf();
  throw typeError(`'${op}' not supported between instances of 'time' and '${pyTypeName(o)}'`);
}

/** A Date's wall-clock value in microseconds (naive datetimes subtract wall-clock times, ignoring DST). */
function wallMicros(d: Date): number {
  const t = new Date(0);
  t.setUTCFullYear(d.getFullYear(), d.getMonth(), d.getDate());
  t.setUTCHours(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
  return t.getTime() * 1000;
}

function fromWallMicros(us: number): Date {
  const t = new Date(Math.floor(us / 1000));
  const d = new Date(
    2000,
    t.getUTCMonth(),
    t.getUTCDate(),
    t.getUTCHours(),
    t.getUTCMinutes(),
    t.getUTCSeconds(),
    t.getUTCMilliseconds(),
  );
  d.setFullYear(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  return d;
}

/** True for the values with datetime arithmetic (so the operators try them only after numbers). */
export function isTimeValue(v: unknown): boolean {
  return v instanceof Date || v instanceof TimeDelta || v instanceof PyDate || v instanceof PyTime;
}

/** `a + b` on datetime values, or undefined when Python has no such sum. */
export function timeAdd(a: unknown, b: unknown): unknown {
  if (a instanceof TimeDelta) {
    if (b instanceof TimeDelta) return TimeDelta.fromMicroseconds(a.totalMicroseconds + b.totalMicroseconds);
    if (b instanceof Date || b instanceof PyDate) return timeAdd(b, a);
    return undefined;
  }
  if (!(b instanceof TimeDelta)) return undefined;
  if (a instanceof Date) return fromWallMicros(wallMicros(a) + b.totalMicroseconds);
  if (a instanceof PyDate) {
    const d = new Date(Date.UTC(2000, a.month - 1, a.day + b.days));
    d.setUTCFullYear(a.year, a.month - 1, a.day + b.days);
    return new PyDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }
  return undefined;
}

/** `a - b` on datetime values, or undefined when Python has no such difference. */
export function timeSub(a: unknown, b: unknown): unknown {
  if (b instanceof TimeDelta) {
    if (a instanceof TimeDelta) return TimeDelta.fromMicroseconds(a.totalMicroseconds - b.totalMicroseconds);
    return timeAdd(a, TimeDelta.fromMicroseconds(-b.totalMicroseconds));
  }
  if (a instanceof Date && b instanceof Date)
    return TimeDelta.fromMicroseconds(wallMicros(a) - wallMicros(b));
  if (a instanceof PyDate && b instanceof PyDate) return new TimeDelta({ days: a.valueOf() - b.valueOf() });
  return undefined;
}

/** `a * b` with a timedelta and a number, or undefined. */
export function timeMul(a: unknown, b: unknown): unknown {
  if (a instanceof TimeDelta && isNum(b)) return TimeDelta.fromMicroseconds(a.totalMicroseconds * Number(b));
  if (b instanceof TimeDelta && isNum(a)) return TimeDelta.fromMicroseconds(b.totalMicroseconds * Number(a));
  return undefined;
}

/** `a / b` (floor: `a // b`) with timedeltas, or undefined. */
export function timeDiv(a: unknown, b: unknown, floor: boolean): unknown {
  if (!(a instanceof TimeDelta)) return undefined;
  if (b instanceof TimeDelta) {
    if (b.totalMicroseconds === 0) return zeroDivision();
    const r = a.totalMicroseconds / b.totalMicroseconds;
    return floor ? Math.floor(r) : makeFloat(r);
  }
  if (isNum(b)) {
    if (Number(b) === 0) return zeroDivision();
    const r = a.totalMicroseconds / Number(b);
    return TimeDelta.fromMicroseconds(floor ? Math.floor(r) : r);
  }
  return undefined;
}

/** `-a` for a timedelta. */
export function timeNeg(a: TimeDelta): TimeDelta {
  return TimeDelta.fromMicroseconds(-a.totalMicroseconds);
}

function zeroDivision(): never {
  const e = new Error('division by zero');
  e.name = 'ZeroDivisionError';
  throw e;
}

function isNum(v: unknown): boolean {
  return typeof v === 'number' || v instanceof PyFloat;
}

/** `datetime.replace(year=..., hour=...)` for a Date: a new Date with those fields changed. */
export function dateReplace(d: Date, args: readonly unknown[]): Date {
  const k = kwargsOf(args);
  const pos = args.filter((a) => !(a instanceof Kwargs));
  const names = ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond'] as const;
  const cur = [
    d.getFullYear(),
    d.getMonth() + 1,
    d.getDate(),
    d.getHours(),
    d.getMinutes(),
    d.getSeconds(),
    d.getMilliseconds() * 1000,
  ];
  const v = names.map((n, i) => num(pos[i] ?? k[n] ?? cur[i], n));
  new PyDate(v[0]!, v[1]!, v[2]!); // validates the day like Python (ValueError)
  const out = new Date(2000, v[1]! - 1, v[2]!, v[3]!, v[4]!, v[5]!, Math.floor(v[6]! / 1000));
  out.setFullYear(v[0]!, v[1]! - 1, v[2]!);
  return out;
}

/** The Python methods a Date gains beyond `builtins/datetime.ts`: `date()`, `time()`, `replace()`, ... */
export function dateMethod(d: Date, name: string): unknown {
  switch (name) {
    case 'date':
      return () => PyDate.fromDate(d);
    case 'time':
      return () => new PyTime(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds() * 1000);
    case 'replace':
      return (...args: unknown[]) => dateReplace(d, args);
    case 'ctime':
      return () => strftime(d, '%c');
    case 'toordinal':
      return () => PyDate.fromDate(d).toordinal();
    case 'tzinfo':
      return null;
    case 'isoformat':
      return (...args: unknown[]) => {
        const kw = args[args.length - 1] instanceof Kwargs ? (args.pop() as Kwargs) : null;
        const sep = args[0] ?? kw?.sep ?? 'T';
        const timespec = args[1] ?? kw?.timespec ?? 'auto';
        return isoformat(d, String(sep), String(timespec));
      };
  }
  return undefined;
}
