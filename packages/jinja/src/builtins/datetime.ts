/**
 * Python `datetime` behaviour for JavaScript `Date` values (Phial loads Flask's tagged datetimes
 * as `Date`): `str()` prints `2024-01-05 09:30:00`, and templates may call `strftime`,
 * `isoformat` and read `year`, `month`, ... Dates are read in local time, the way a naive Python
 * datetime is a wall-clock value.
 */
import { makeFloat } from '../runtime/pyfloat.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  const a = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  const b = Date.UTC(start.getFullYear(), 0, 1);
  return Math.floor((a - b) / 86400000) + 1;
}

function weekNumber(d: Date, firstDay: 0 | 1): number {
  // %U (weeks start Sunday) / %W (weeks start Monday): days before the first such day are week 0
  const yday = dayOfYear(d) - 1;
  const wday = (d.getDay() + 7 - firstDay) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

function tzOffset(d: Date, colon: boolean): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

/** Python's `datetime.strftime(fmt)` with the C locale. */
export function strftime(d: Date, fmt: string): string {
  return fmt.replace(/%([-#]?)([a-zA-Z%:])/g, (whole, flag: string, c: string) => {
    const strip = flag === '-';
    const num = (n: number, w = 2) => (strip ? String(n) : pad(n, w));
    switch (c) {
      case 'a':
        return DAYS[d.getDay()]!.slice(0, 3);
      case 'A':
        return DAYS[d.getDay()]!;
      case 'b':
      case 'h':
        return MONTHS[d.getMonth()]!.slice(0, 3);
      case 'B':
        return MONTHS[d.getMonth()]!;
      case 'c':
        return `${DAYS[d.getDay()]!.slice(0, 3)} ${MONTHS[d.getMonth()]!.slice(0, 3)} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
      case 'd':
        return num(d.getDate());
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'f':
        return pad(d.getMilliseconds() * 1000, 6);
      case 'H':
        return num(d.getHours());
      case 'I':
        return num(d.getHours() % 12 || 12);
      case 'j':
        return num(dayOfYear(d), 3);
      case 'm':
        return num(d.getMonth() + 1);
      case 'M':
        return num(d.getMinutes());
      case 'p':
        return d.getHours() < 12 ? 'AM' : 'PM';
      case 'S':
        return num(d.getSeconds());
      case 'U':
        return num(weekNumber(d, 0));
      case 'W':
        return num(weekNumber(d, 1));
      case 'w':
        return String(d.getDay());
      case 'u':
        return String(d.getDay() || 7);
      case 'x':
        return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
      case 'X':
        return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      case 'y':
        return num(d.getFullYear() % 100);
      case 'Y':
        return String(d.getFullYear());
      case 'z':
        return tzOffset(d, false);
      case 'Z':
        return '';
      case 'F':
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      case 'T':
        return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      case '%':
        return '%';
      default:
        return whole;
    }
  });
}

/** Python's `datetime.isoformat(sep='T')`. */
export function isoformat(d: Date, sep = 'T'): string {
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}${sep}${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.getMilliseconds() ? `${base}.${pad(d.getMilliseconds() * 1000, 6)}` : base;
}

/** Python's `str(datetime)`: `2024-01-05 09:30:00` (with `.ffffff` when there are microseconds). */
export function dateStr(d: Date): string {
  if (Number.isNaN(d.getTime())) return 'Invalid Date';
  return isoformat(d, ' ');
}

/** `date.year`, `date.strftime(...)`, ...: the attribute or bound method of a Date, or undefined. */
export function dateAttribute(d: Date, name: string): unknown {
  switch (name) {
    case 'year':
      return d.getFullYear();
    case 'month':
      return d.getMonth() + 1;
    case 'day':
      return d.getDate();
    case 'hour':
      return d.getHours();
    case 'minute':
      return d.getMinutes();
    case 'second':
      return d.getSeconds();
    case 'microsecond':
      return d.getMilliseconds() * 1000;
    case 'strftime':
      return (fmt: unknown) => strftime(d, String(fmt));
    case 'isoformat':
      return (sep?: unknown) => isoformat(d, typeof sep === 'string' ? sep : 'T');
    case 'weekday':
      return () => (d.getDay() + 6) % 7;
    case 'isoweekday':
      return () => d.getDay() || 7;
    case 'timestamp':
      return () => makeFloat(d.getTime() / 1000);
  }
  return undefined;
}
