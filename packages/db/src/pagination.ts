/**
 * Flask-SQLAlchemy's `Pagination`: one page of results plus what a template needs to draw the page links.
 * Fields come in camelCase for TypeScript and snake_case for templates ported from Flask.
 */

/** Options of `iterPages`, with Flask-SQLAlchemy's defaults. */
export interface IterPagesOptions {
  leftEdge?: number;
  leftCurrent?: number;
  rightCurrent?: number;
  rightEdge?: number;
}

/** A page of `items` out of `total` rows. */
export class Pagination<T> {
  /** The rows of this page. */
  readonly items: T[];
  /** The current page number (1-based). */
  readonly page: number;
  /** Rows per page. */
  readonly perPage: number;
  /** Rows in the whole query. */
  readonly total: number;

  constructor(items: T[], page: number, perPage: number, total: number) {
    this.items = items;
    this.page = page;
    this.perPage = perPage;
    this.total = total;
  }

  /** Number of pages (0 when there are no rows). */
  get pages(): number {
    return this.total === 0 || this.perPage === 0 ? 0 : Math.ceil(this.total / this.perPage);
  }
  /** 1-based index of the first row on this page (0 when empty). */
  get first(): number {
    return this.items.length === 0 ? 0 : (this.page - 1) * this.perPage + 1;
  }
  /** 1-based index of the last row on this page (0 when empty). */
  get last(): number {
    return this.items.length === 0 ? 0 : this.first + this.items.length - 1;
  }
  /** True when a previous page exists. */
  get hasPrev(): boolean {
    return this.page > 1;
  }
  /** True when a next page exists. */
  get hasNext(): boolean {
    return this.page < this.pages;
  }
  /** The previous page number, or null. */
  get prevNum(): number | null {
    return this.hasPrev ? this.page - 1 : null;
  }
  /** The next page number, or null. */
  get nextNum(): number | null {
    return this.hasNext ? this.page + 1 : null;
  }

  /**
   * Page numbers for a pagination widget; `null` marks a gap. With the defaults, page 10 of 20 gives
   * 1 2 … 8 9 10 11 12 13 14 … 19 20 (Flask-SQLAlchemy's `iter_pages`).
   */
  *iterPages(options: IterPagesOptions = {}): Generator<number | null> {
    const { leftEdge = 2, leftCurrent = 2, rightCurrent = 4, rightEdge = 2 } = options;
    const pages = this.pages;
    if (pages === 0) return;
    const leftEnd = Math.min(1 + leftEdge, pages + 1);
    for (let n = 1; n < leftEnd; n++) yield n;
    if (leftEnd > pages) return;
    const midStart = Math.max(leftEnd, this.page - leftCurrent);
    const midEnd = Math.min(this.page + rightCurrent + 1, pages + 1);
    if (midStart - leftEnd > 0) yield null;
    for (let n = midStart; n < midEnd; n++) yield n;
    if (midEnd > pages) return;
    const rightStart = Math.max(midEnd, pages - rightEdge + 1);
    if (rightStart - midEnd > 0) yield null;
    for (let n = rightStart; n <= pages; n++) yield n;
  }

  // snake_case for templates written for Flask-SQLAlchemy
  /** Alias of `perPage`. */
  get per_page(): number {
    return this.perPage;
  }
  /** Alias of `hasPrev`. */
  get has_prev(): boolean {
    return this.hasPrev;
  }
  /** Alias of `hasNext`. */
  get has_next(): boolean {
    return this.hasNext;
  }
  /** Alias of `prevNum`. */
  get prev_num(): number | null {
    return this.prevNum;
  }
  /** Alias of `nextNum`. */
  get next_num(): number | null {
    return this.nextNum;
  }
  /** Alias of `iterPages` taking Flask's keyword names. */
  iter_pages(
    options: { left_edge?: number; left_current?: number; right_current?: number; right_edge?: number } = {},
  ): Generator<number | null> {
    return this.iterPages({
      leftEdge: options.left_edge,
      leftCurrent: options.left_current,
      rightCurrent: options.right_current,
      rightEdge: options.right_edge,
    });
  }
  /** Templates iterate a pagination's items: `{% for post in pagination %}`. */
  [Symbol.iterator](): Iterator<T> {
    return this.items[Symbol.iterator]();
  }
}
