/**
 * Python `datetime` behaviour for JavaScript `Date` values (Phial loads Flask's tagged datetimes
 * as `Date`): `str()` prints `2024-01-05 09:30:00`, and templates may call `strftime`,
 * `isoformat` and read `year`, `month`, ... Dates are read in local time, the way a naive Python
 * datetime is a wall-clock value.
 */
import { pyError } from '../errors.js';
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

/** ISO 8601 year and week (`%G`, `%V`): weeks start Monday; week 1 holds the year's first Thursday. */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const weekday = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - weekday);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return { year, week };
}

/** Python's `datetime.strftime(fmt)` with the C locale. */
export function strftime(d: Date, fmt: string): string {
  return fmt.replace(/%([-#]?)([a-zA-Z%:])/g, (whole, flag: string, c: string) => {
    const strip = flag === '-';
    const num = (n: number, w = 2) => (strip ? String(n) : pad(n, w));
    const spaced = (n: number) => (strip ? String(n) : String(n).padStart(2, ' '));
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
        return spaced(d.getDate());
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
      case 'Z':
        // a Date is read as a naive wall-clock datetime (see the top of this file): no zone, as in Python
        return '';
      case 'C':
        return num(Math.floor(d.getFullYear() / 100));
      case 'D':
        return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
      case 'G':
        return String(isoWeek(d).year);
      case 'g':
        return num(isoWeek(d).year % 100);
      case 'V':
        return num(isoWeek(d).week);
      case 'k':
        return spaced(d.getHours());
      case 'l':
        return spaced(d.getHours() % 12 || 12);
      case 'P':
        return d.getHours() < 12 ? 'am' : 'pm';
      case 'r':
        return `${pad(d.getHours() % 12 || 12)}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
      case 'R':
        return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'n':
        return '\n';
      case 't':
        return '\t';
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

const TIMESPECS = new Set(['auto', 'hours', 'minutes', 'seconds', 'milliseconds', 'microseconds']);

/** Python's `datetime.isoformat(sep='T', timespec='auto')`. */
export function isoformat(d: Date, sep = 'T', timespec = 'auto'): string {
  if (!TIMESPECS.has(timespec)) throw pyError('ValueError', 'Unknown timespec value');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}${sep}${pad(d.getHours())}`;
  if (timespec === 'hours') return date;
  const minutes = `${date}:${pad(d.getMinutes())}`;
  if (timespec === 'minutes') return minutes;
  const seconds = `${minutes}:${pad(d.getSeconds())}`;
  const ms = d.getMilliseconds();
  if (timespec === 'milliseconds') return `${seconds}.${pad(ms, 3)}`;
  if (timespec === 'microseconds' || (timespec === 'auto' && ms)) return `${seconds}.${pad(ms * 1000, 6)}`;
  return seconds;
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
    case 'weekday':
      return () => (d.getDay() + 6) % 7;
    case 'isoweekday':
      return () => d.getDay() || 7;
    case 'timestamp':
      return () => makeFloat(d.getTime() / 1000);
  }
  return undefined;
}
