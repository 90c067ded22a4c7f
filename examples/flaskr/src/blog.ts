/**
 * The `blog` blueprint (Flask tutorial's `blog.py`): list posts, and create, update and delete them.
 * Only the logged-in author may change a post.
 */
import { abort, Blueprint, flash, g, redirect, renderTemplate, urlFor } from 'phial';
import { loginRequired } from './auth.js';
import { getDb, type PostWithAuthor } from './db.js';

export const bp = new Blueprint('blog', import.meta.url);

bp.route('/', function index() {
  return renderTemplate('blog/index.html', { posts: getDb().listPosts() });
});

/** The post `id`: 404 when it does not exist, 403 when `checkAuthor` and the user is not its author. */
export function getPost(id: number, checkAuthor = true): PostWithAuthor {
  const post = getDb().getPost(id);
  if (post === undefined) abort(404, `Post id ${id} doesn't exist.`);
  if (checkAuthor && post.authorId !== g.user?.id) abort(403);
  return post;
}

bp.route(
  '/create',
  { methods: ['GET', 'POST'] },
  loginRequired(function create(req) {
    if (req.method === 'POST') {
      const title = req.form.get('title') ?? '';
      const body = req.form.get('body') ?? '';
      if (!title) {
        flash('Title is required.');
      } else {
        // loginRequired guarantees g.user
        getDb().insertPost({ title, body, authorId: (g.user as NonNullable<typeof g.user>).id });
        return redirect(urlFor('blog.index'));
      }
    }
    return renderTemplate('blog/create.html');
  }),
);

bp.route(
  '/<int:id>/update',
  { methods: ['GET', 'POST'] },
  loginRequired(function update(req) {
    const post = getPost(req.params.id);
    if (req.method === 'POST') {
      const title = req.form.get('title') ?? '';
      const body = req.form.get('body') ?? '';
      if (!title) {
        flash('Title is required.');
      } else {
        getDb().updatePost(post.id, { title, body });
        return redirect(urlFor('blog.index'));
      }
    }
    return renderTemplate('blog/update.html', { post });
  }),
);

bp.route(
  '/<int:id>/delete',
  // `delete` is a reserved word, so the function cannot carry the endpoint's name: give it explicitly.
  { methods: ['POST'], endpoint: 'delete' },
  loginRequired(function deletePost(req) {
    getPost(req.params.id);
    getDb().deletePost(req.params.id);
    return redirect(urlFor('blog.index'));
  }),
);
