/** An in-memory book store (a real app would use a database; see @phial/db). */
import type { Book, BookIn } from './schemas.js';

/** Filters and paging of `list`. */
export interface ListOptions {
  page: number;
  perPage: number;
  author?: string;
  tag?: string[];
  q?: string;
  sort: 'id' | 'title' | 'year';
}

export class BookStore {
  private books = new Map<number, Book>();
  private nextId = 1;

  constructor(seed: BookIn[] = []) {
    for (const b of seed) this.create(b);
  }

  list(o: ListOptions): { items: Book[]; total: number } {
    const author = o.author?.toLowerCase();
    const words = o.q?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
    let found = [...this.books.values()].filter(
      (b) =>
        (author === undefined || b.author.toLowerCase() === author) &&
        (o.tag === undefined || o.tag.every((t) => b.tags.includes(t))) &&
        words.every((w) => b.title.toLowerCase().includes(w)),
    );
    found = found.sort((a, b) => (a[o.sort] < b[o.sort] ? -1 : a[o.sort] > b[o.sort] ? 1 : a.id - b.id));
    const start = (o.page - 1) * o.perPage;
    return { items: found.slice(start, start + o.perPage), total: found.length };
  }

  get(id: number): Book | undefined {
    return this.books.get(id);
  }

  create(data: BookIn): Book {
    const book: Book = { id: this.nextId++, ...data };
    this.books.set(book.id, book);
    return book;
  }

  replace(id: number, data: BookIn): Book | undefined {
    if (!this.books.has(id)) return undefined;
    const book: Book = { id, ...data };
    this.books.set(id, book);
    return book;
  }

  update(id: number, data: Partial<BookIn>): Book | undefined {
    const old = this.books.get(id);
    if (old === undefined) return undefined;
    const book: Book = { ...old, ...data, id };
    this.books.set(id, book);
    return book;
  }

  delete(id: number): boolean {
    return this.books.delete(id);
  }
}

/** A few books to start with. */
export const SEED: BookIn[] = [
  { title: 'The Hobbit', author: 'J. R. R. Tolkien', year: 1937, isbn: '9780547928227', tags: ['fantasy'] },
  { title: 'Dune', author: 'Frank Herbert', year: 1965, tags: ['sf', 'classic'] },
  { title: 'Neuromancer', author: 'William Gibson', year: 1984, tags: ['sf', 'cyberpunk'] },
  { title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', year: 1969, tags: ['sf', 'classic'] },
  { title: 'A Wizard of Earthsea', author: 'Ursula K. Le Guin', year: 1968, tags: ['fantasy', 'classic'] },
];
