/** The debugger page's stylesheet and script (served under `/__phial_debugger__/`, no inline code). */

export const STYLE_CSS = `
body.debugger { margin: 0; padding: 0; background: #fff; color: #000; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
div.debugger { margin: 1em auto; max-width: 1100px; padding: 0 1.2em 2em; }
h1 { font-size: 2em; margin: .3em 0 .1em; font-weight: 600; color: #8b0000; }
h2.exc-title { font-size: 1.2em; font-weight: 600; margin: 1.2em 0 .4em; word-break: break-word; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
p.errormsg { margin: 0 0 .5em; padding: .6em .8em; background: #fee; border-left: 4px solid #c00; white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, Menlo, Consolas, monospace; }
p.app { color: #555; font-size: .9em; }
ul.frames { list-style: none; margin: 0; padding: 0; }
li.frame { margin: .4em 0; border: 1px solid #ddd; border-radius: 4px; background: #fafafa; }
li.frame.library { background: #f4f4f4; color: #555; }
li.frame h4 { margin: 0; padding: .4em .6em; font-size: .9em; font-weight: normal; background: #eef2f7; border-bottom: 1px solid #ddd; word-break: break-all; }
li.frame.template h4 { background: #f3eefa; }
li.frame cite { font-style: normal; color: #0b3d91; }
li.folded details > summary { cursor: pointer; color: #666; padding: .2em .4em; font-size: .85em; }
table.source { width: 100%; border-collapse: collapse; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
table.source td { padding: 0 .4em; vertical-align: top; }
table.source td.lineno { width: 3.5em; text-align: right; color: #999; user-select: none; }
table.source pre { margin: 0; white-space: pre-wrap; }
table.source tr.current { background: #fff3b0; }
table.source tr.current td.lineno { color: #000; font-weight: bold; }
div.locals p.none { margin: .3em .6em; color: #777; font-size: .85em; }
details.locals { padding: .3em .6em; border-top: 1px dashed #ddd; }
details.locals summary { cursor: pointer; font-size: .85em; color: #333; }
details.locals table, table.pairs { border-collapse: collapse; font-size: 13px; width: 100%; }
details.locals th, table.pairs th { text-align: left; vertical-align: top; padding: .1em .6em .1em 0; font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; width: 1%; }
details.locals td pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: 12px; }
table.pairs td { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
button.open-console { margin: .3em .6em .5em; font-size: .8em; }
div.console { margin: .3em .6em .6em; border: 1px solid #ccc; background: #1e1e1e; color: #eee; border-radius: 3px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
div.console pre.output { margin: 0; padding: .4em .6em; white-space: pre-wrap; word-break: break-word; max-height: 24em; overflow: auto; }
div.console pre.output .cmd { color: #9cdcfe; }
div.console pre.output .err { color: #f48771; }
div.console form { display: flex; padding: .2em .6em .4em; }
div.console .prompt { color: #888; margin-right: .5em; }
div.console input { flex: 1; background: transparent; border: 0; color: #fff; font: inherit; outline: none; }
blockquote.exc-line { margin: .6em 0; padding: .5em .8em; background: #fee; border-left: 4px solid #c00; font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
p.link { font-style: italic; color: #555; margin: 1.5em 0; }
p.template-note, div.searched { padding: .4em .8em; background: #f3eefa; border-left: 4px solid #7a4fbf; }
textarea#traceback-text { width: 100%; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
div.pin-prompt { position: fixed; inset: 0; background: rgba(0,0,0,.35); display: flex; align-items: center; justify-content: center; }
div.pin-prompt[hidden] { display: none; }
div.pin-prompt form { background: #fff; padding: 1em 1.5em; border-radius: 6px; max-width: 28em; box-shadow: 0 4px 30px rgba(0,0,0,.3); }
p.pin-error { color: #c00; min-height: 1.2em; }
div.explanation { margin-top: 1.5em; color: #555; font-size: .9em; }
div.footer { margin-top: 2em; font-size: .8em; color: #888; border-top: 1px solid #ddd; padding-top: .5em; }
`;

export const DEBUGGER_JS = `
(function () {
  'use strict';
  var body = document.body;
  var PREFIX = '/__phial_debugger__/';
  var secret = body.getAttribute('data-secret') || '';
  var tb = body.getAttribute('data-traceback') || '';
  var unlocked = body.getAttribute('data-unlocked') === 'true';
  var pending = null;
  var prompt = document.querySelector('div.pin-prompt');
  var pinForm = document.querySelector('form.pin-form');
  var pinError = document.querySelector('p.pin-error');

  function openConsole(frame) {
    var box = document.querySelector('div.console[data-frame="' + frame + '"]');
    if (!box) return;
    box.hidden = false;
    var input = box.querySelector('input');
    if (input) input.focus();
  }

  function askPin(frame) {
    pending = frame;
    if (!prompt) return;
    prompt.hidden = false;
    var input = pinForm.querySelector('input[name=pin]');
    if (input) input.focus();
  }

  document.querySelectorAll('button.open-console').forEach(function (btn) {
    btn.addEventListener('click', function () {
      var frame = btn.getAttribute('data-frame');
      if (unlocked) openConsole(frame);
      else askPin(frame);
    });
  });

  if (pinForm) {
    pinForm.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var pin = pinForm.querySelector('input[name=pin]').value;
      fetch(PREFIX + 'pinauth?pin=' + encodeURIComponent(pin), { credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.auth) {
            unlocked = true;
            pinError.textContent = '';
            prompt.hidden = true;
            if (pending !== null) openConsole(pending);
          } else if (res.exhausted) {
            pinError.textContent = 'Too many failed attempts: the console is locked until the server restarts.';
          } else {
            pinError.textContent = 'Incorrect PIN.';
          }
        })
        .catch(function (e) { pinError.textContent = 'Could not check the PIN: ' + e; });
    });
  }

  var printPin = document.querySelector('button.print-pin');
  if (printPin) {
    printPin.addEventListener('click', function () {
      fetch(PREFIX + 'printpin?s=' + encodeURIComponent(secret), { credentials: 'same-origin' }).then(function () {
        pinError.textContent = 'The PIN was printed on the terminal running the server.';
      });
    });
  }

  document.querySelectorAll('div.console form').forEach(function (form) {
    var box = form.parentNode;
    var out = box.querySelector('pre.output');
    var input = form.querySelector('input');
    var history = [];
    var pos = 0;
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowUp' && pos > 0) { pos--; input.value = history[pos]; ev.preventDefault(); }
      else if (ev.key === 'ArrowDown' && pos < history.length) { pos++; input.value = history[pos] || ''; ev.preventDefault(); }
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var cmd = input.value;
      if (!cmd.trim()) return;
      history.push(cmd);
      pos = history.length;
      input.value = '';
      var line = document.createElement('span');
      line.className = 'cmd';
      line.textContent = '>>> ' + cmd + '\\n';
      out.appendChild(line);
      var params = new URLSearchParams({ cmd: cmd, frame: box.getAttribute('data-frame'), tb: tb, s: secret });
      fetch(PREFIX + 'console', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: params.toString()
      })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          var span = document.createElement('span');
          if (res.locked) { unlocked = false; askPin(box.getAttribute('data-frame')); }
          span.className = res.error ? 'err result' : 'result';
          span.textContent = String(res.output) + '\\n';
          out.appendChild(span);
          out.scrollTop = out.scrollHeight;
        })
        .catch(function (e) {
          var span = document.createElement('span');
          span.className = 'err';
          span.textContent = 'Request failed: ' + e + '\\n';
          out.appendChild(span);
        });
    });
  });

  var copy = document.getElementById('copy-traceback');
  if (copy) {
    copy.addEventListener('click', function () {
      var text = document.getElementById('traceback-text');
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text.value);
      else { text.select(); document.execCommand('copy'); }
    });
  }
})();
`;
