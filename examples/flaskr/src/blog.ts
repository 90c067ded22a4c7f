/**
 * The `blog` blueprint (Flask tutorial's `blog.py`): list posts, and create, update and delete them.
 * Only the logged-in author may change a post.
 */
import { currentUser, loginRequired } from '@phial/login';
import { abort, Blueprint, redirect, renderTemplate, urlFor } from 'phial';
import { me } from './auth.js';
import { getDb, type PostWithAuthor } from './db.js';
import { DeleteForm, PostForm } from './forms.js';

export const bp = new Blueprint('blog', import.meta.url);

bp.route('/', async function index() {
  return renderTemplate('blog/index.html', { posts: await getDb().listPosts() });
});

/** The post `id`: 404 when it does not exist, 403 when `checkAuthor` and the user is not its author. */
export async function getPost(id: number, checkAuthor = true): Promise<PostWithAuthor> {
  const post = await getDb().getPost(id);
  if (post === undefined) abort(404, `Post id ${id} doesn't exist.`);
  if (checkAuthor && (!currentUser.isAuthenticated || post.authorId !== currentUser.id)) abort(403);
  return post;
}

bp.route(
  '/create',
  { methods: ['GET', 'POST'] },
  loginRequired(async function create() {
    const form = new PostForm();
    if (await form.validateOnSubmit()) {
      await getDb().insertPost({
        title: form.data.title ?? '',
        body: form.data.body ?? '',
        authorId: me().id,
      });
      return redirect(urlFor('blog.index'));
    }
    return renderTemplate('blog/create.html', { form });
  }),
);

bp.route(
  '/<int:id>/update',
  { methods: ['GET', 'POST'] },
  loginRequired(async function update(req) {
    const post = await getPost(req.params.id);
    // an edit form starts from the post
    const form = new PostForm({ obj: post });
    if (await form.validateOnSubmit()) {
      await getDb().updatePost(post.id, { title: form.data.title ?? '', body: form.data.body ?? '' });
      return redirect(urlFor('blog.index'));
    }
    return renderTemplate('blog/update.html', { post, form, deleteForm: new DeleteForm({ formdata: null }) });
  }),
);

bp.route(
  '/<int:id>/delete',
  // `delete` is a reserved word, so the function cannot carry the endpoint's name: give it explicitly.
  { methods: ['POST'], endpoint: 'delete' },
  loginRequired(async function deletePost(req) {
    await getPost(req.params.id);
    await getDb().deletePost(req.params.id);
    return redirect(urlFor('blog.index'));
  }),
);
