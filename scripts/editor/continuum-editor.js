/*
 * Continuum's web editor: what Decap CMS cannot do from its configuration alone.
 *
 * build_manual.py copies this file into site/admin/ beside Decap CMS, js-yaml and continuum.json (what
 * manual/editor/ generated from the format). It
 *  - picks the interface's language (?lang=fr, else the browser's, else the manual's first) and its
 *    configuration (config.yml, config.<lang>.yml);
 *  - registers the formats of the files: a contribution or translation is YAML front matter, with its
 *    `# yaml-language-server` line first, then the sections, each under its heading in the text's language;
 *    a city's card is YAML with its own line;
 *  - fills in, when an entry is saved, what the officer should not have to compute: the city's next free id,
 *    the recommendations' ids, the file's name, a translation's fingerprint and its original's text; and
 *    refuses an image without a description.
 *
 * The functions below also run under Node.js (tests/test_editor.py writes files with them and checks them).
 */
(function (root, factory) {
  'use strict';
  var api = factory(typeof require === 'function' && typeof module === 'object' ? require('js-yaml') : root.jsyaml);
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.ContinuumEditor = api;
    api.start(root);
  }
})(typeof self !== 'undefined' ? self : this, function (jsyaml) {
  'use strict';

  var KIND = 'continuum_kind';
  var FILE = 'file_name';
  var FOLDER = 'folder';
  var NEW_CITY = 'new_city';
  var INTRO = 'introduction';
  var MORE = 'more';
  var SECTION = 'section_';
  // Fields of the form that are no property of the format: never written into the front matter.
  var INTERNAL = [KIND, FILE, FOLDER, NEW_CITY, INTRO, MORE, 'body'];
  var SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  // Words that YAML 1.1 (PyYAML, which check reads with) takes for booleans or null: always quoted.
  var SPECIAL = /^(y|n|yes|no|on|off|true|false|null|nan|inf)$/i;
  var WIDTH = 100;

  // --- names --------------------------------------------------------------------------------------

  /** A file name from a title: lower-case ASCII words joined by dashes, at most 60 characters (scaffold.slugify). */
  function slugify(text, limit) {
    limit = limit || 60;
    var ascii = String(text || '').normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase();
    var words = ascii.match(/[a-z0-9]+/g) || [];
    var slug = '';
    for (var i = 0; i < words.length; i++) {
      if (slug.length + words[i].length + 1 > limit) break;
      slug = slug ? slug + '-' + words[i] : words[i];
    }
    return slug;
  }

  function pad(number) {
    var text = String(number);
    while (text.length < 3) text = '0' + text;
    return text;
  }

  // --- YAML, written the way the manual's files are ---------------------------------------------------

  /** A double-quoted YAML scalar (a JSON string is one); `used` characters precede it on its first line. */
  function quoted(text, used, indent) {
    var json = JSON.stringify(text);
    if (used + json.length <= WIDTH) return json;
    // A long text folds over several lines: YAML joins the lines of a double-quoted scalar with a space,
    // so it breaks only at a single space between two other characters (never after a backslash).
    var words = json.split(/(?<=[^ \\]) (?=[^ ])/);
    var lines = [];
    var line = '';
    var room = WIDTH - used;
    words.forEach(function (word) {
      if (line && line.length + 1 + word.length > room) {
        lines.push(line);
        line = word;
        room = WIDTH - indent - 2;
      } else {
        line = line ? line + ' ' + word : word;
      }
    });
    lines.push(line);
    return lines.join('\n' + ' '.repeat(indent + 2));
  }

  function scalar(value, key, used, indent, dates) {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    var text = String(value);
    if (dates && dates.indexOf(key) >= 0 && /^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
    if (/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(text) && !SPECIAL.test(text)) return text;
    return quoted(text, used, indent);
  }

  function empty(value) {
    if (value === undefined || value === null || value === '') return true;
    if (Array.isArray(value)) return value.every(empty);
    if (typeof value === 'object') return Object.keys(value).every(function (k) { return empty(value[k]); });
    return false;
  }

  function clean(value) {
    if (Array.isArray(value)) return value.filter(function (v) { return !empty(v); }).map(clean);
    if (value && typeof value === 'object') {
      var out = {};
      Object.keys(value).forEach(function (k) { if (!empty(value[k])) out[k] = clean(value[k]); });
      return out;
    }
    return typeof value === 'string' ? value.trim() : value;
  }

  /** Return YAML lines for a mapping, its keys in `order` first; empty values are left out. */
  function mapping(data, order, indent, dates) {
    var keys = (order || []).filter(function (k) { return k in data; });
    Object.keys(data).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
    var pad = ' '.repeat(indent);
    var out = [];
    keys.forEach(function (key) {
      var value = data[key];
      if (empty(value)) return;
      var name = scalar(key, '', indent, indent);
      if (Array.isArray(value)) {
        var simple = value.every(function (v) { return typeof v !== 'object'; });
        var flow = simple && '[' + value.map(function (v) { return scalar(v, key, 0, indent, dates); }).join(', ') + ']';
        if (simple && flow.indexOf('\n') < 0 && pad.length + name.length + 2 + flow.length <= WIDTH) {
          out.push(pad + name + ': ' + flow);
        } else {
          out.push(pad + name + ':');
          value.forEach(function (item) {
            if (item && typeof item === 'object') {
              var lines = mapping(item, Object.keys(item), indent + 4, dates);
              out.push(pad + '  - ' + lines[0].slice(indent + 4));
              lines.slice(1).forEach(function (l) { out.push(l); });
            } else {
              out.push(pad + '  - ' + scalar(item, key, indent + 4, indent + 2, dates));
            }
          });
        }
      } else if (value && typeof value === 'object') {
        out.push(pad + name + ':');
        mapping(value, Object.keys(value), indent + 2, dates).forEach(function (l) { out.push(l); });
      } else {
        out.push(pad + name + ': ' + scalar(value, key, indent + name.length + 2, indent, dates));
      }
    });
    return out;
  }

  // --- the body: sections under their headings --------------------------------------------------------

  function comment(text) {
    var words = String(text).split(/\s+/).filter(Boolean);
    var lines = [];
    var line = '';
    words.forEach(function (w) {
      if (line && line.length + 1 + w.length > WIDTH - 5) { lines.push(line); line = w; } else { line = line ? line + ' ' + w : w; }
    });
    if (line) lines.push(line);
    return '<!--\n' + lines.map(function (l) { return '  ' + l; }).join('\n') + '\n-->';
  }

  function onlyComments(text) {
    return !String(text || '').replace(/<!--[\s\S]*?-->/g, '').trim();
  }

  function sectionKey(data, heading) {
    var wanted = heading.trim().toLowerCase();
    var names = data.sections.names;
    for (var key in names) {
      for (var lang in names[key]) {
        if (names[key][lang].toLowerCase() === wanted) return key;
      }
    }
    return null;
  }

  /** Split a body into the form's fields: the text before the first `## `, each known section, the rest. */
  function splitBody(data, body) {
    var out = {};
    var lines = String(body || '').replace(/\r\n?/g, '\n').split('\n');
    var fence = null;
    var blocks = [{ heading: null, lines: [] }];
    lines.forEach(function (line) {
      var marker = /^\s{0,3}(```|~~~)/.exec(line);
      if (marker) fence = fence === marker[1] ? null : (fence || marker[1]);
      var heading = !fence && !marker && /^##[ \t]+(.+?)[ \t#]*$/.exec(line);
      if (heading) blocks.push({ heading: heading[1], lines: [] });
      else blocks[blocks.length - 1].lines.push(line);
    });
    var more = [];
    blocks.forEach(function (block, index) {
      var text = block.lines.join('\n').trim();
      if (index === 0) {
        if (!onlyComments(text)) out[INTRO] = text;
        return;
      }
      var key = sectionKey(data, block.heading);
      var field = key && SECTION + key.replace(/-/g, '_');
      if (field && !(field in out)) out[field] = onlyComments(text) ? '' : text;
      else more.push('## ' + block.heading + (text ? '\n\n' + text : ''));
    });
    if (more.length) out[MORE] = more.join('\n\n');
    return out;
  }

  /** The body of a file: the required sections of `type` (and every filled one) under their headings in `lang`. */
  function joinBody(data, fields, lang, required) {
    var guide = data.guidance[lang] || data.guidance.en;
    var parts = [];
    var missing = required.some(function (key) { return !String(fields[SECTION + key.replace(/-/g, '_')] || '').trim(); });
    var intro = String(fields[INTRO] || '').trim();
    if (intro) parts.push(intro);
    else if (missing) parts.push(comment(guide.intro));
    data.sections.order.forEach(function (key) {
      var text = String(fields[SECTION + key.replace(/-/g, '_')] || '').trim();
      if (!text && required.indexOf(key) < 0) return;
      var names = data.sections.names[key];
      parts.push('## ' + (names[lang] || names.en) + '\n\n' + (text || comment(guide[key])));
    });
    var more = String(fields[MORE] || '').trim();
    if (more) parts.push(more);
    return parts.join('\n\n') + '\n';
  }

  // --- the formats -------------------------------------------------------------------------------------

  function frontMatter(text) {
    var source = String(text || '').replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
    var match = /^---[ \t]*\n([\s\S]*?\n)?---[ \t]*(?:\n|$)([\s\S]*)$/.exec(source);
    if (!match) return { data: {}, body: source };
    var data = jsyaml.load(match[1] || '', { schema: jsyaml.CORE_SCHEMA }) || {};
    return { data: typeof data === 'object' && !Array.isArray(data) ? data : {}, body: match[2] };
  }

  /** A contribution's or a translation's file → the form's fields. */
  function readEntry(data, text) {
    var parsed = frontMatter(text);
    var fields = parsed.data;
    fields[KIND] = 'translation_of' in fields ? 'translation' : 'contribution';
    var parts = splitBody(data, parsed.body);
    Object.keys(parts).forEach(function (k) { fields[k] = parts[k]; });
    return fields;
  }

  function frontFields(fields) {
    var out = {};
    Object.keys(fields).forEach(function (k) {
      if (INTERNAL.indexOf(k) < 0 && k.indexOf(SECTION) !== 0) out[k] = fields[k];
    });
    return clean(out);
  }

  /** The form's fields → the file of a contribution or a translation. */
  function writeEntry(data, fields) {
    var translation = fields[KIND] === 'translation' || 'translation_of' in fields;
    var kind = translation ? 'translation' : 'contribution';
    var front = frontFields(fields);
    var lang = front.language || 'en';
    var required;
    if (translation) {
      var original = data.originals[front.translation_of];
      delete front.city;
      required = original ? data.sections.required[original.type] || [] : [];
    } else {
      required = data.sections.required[front.type] || [];
    }
    var lines = ['---', data.schema_lines[kind]].concat(mapping(front, data.order[kind], 0, data.dates), ['---', '']);
    return lines.join('\n') + '\n' + joinBody(data, fields, lang, required);
  }

  /** A city's card → the form's fields (its names by language as a list). */
  function readCity(text) {
    var fields = jsyaml.load(String(text || ''), { schema: jsyaml.CORE_SCHEMA }) || {};
    if (fields.names && typeof fields.names === 'object' && !Array.isArray(fields.names)) {
      fields.names = Object.keys(fields.names).map(function (k) { return { key: k, value: fields.names[k] }; });
    }
    return fields;
  }

  /** The form's fields → a city's card. */
  function writeCity(data, fields) {
    var front = frontFields(fields);
    if (Array.isArray(front.names)) {
      var names = {};
      front.names.forEach(function (item) { if (item && item.key) names[item.key] = item.value; });
      front.names = names;
    }
    return [data.schema_lines.city].concat(mapping(front, data.order.city, 0, [])).join('\n') + '\n';
  }

  // --- what is computed when an entry is saved ---------------------------------------------------------

  function markdownFields(fields) {
    return Object.keys(fields).filter(function (k) {
      return k === INTRO || k === MORE || k.indexOf(SECTION) === 0;
    });
  }

  function messages(data, lang) {
    return data.messages[lang] || data.messages[data.languages[0]];
  }

  /** Complete a contribution before it is written; throws an Error (shown to the officer) if it cannot be. */
  function completeContribution(data, fields, ui, used) {
    var say = messages(data, ui);
    var out = Object.assign({}, fields);
    if (out.city === data.new_city) {
      if (!SLUG.test(String(out[NEW_CITY] || ''))) throw new Error(say.new_city);
      out.city = out[NEW_CITY];
    }
    delete out[NEW_CITY];
    if (!out.city || !SLUG.test(out.city)) throw new Error(say.city);
    if (!out.id) {
      var next = Math.max(data.next[out.city] || 1, (used && used[out.city]) || 1);
      out.id = out.city + '-' + pad(next);
      if (used) used[out.city] = next + 1;
    }
    if (!out[FILE]) out[FILE] = slugify(out.title) || out.id;
    out.status = out.status || 'draft';
    var recs = Array.isArray(out.recommendations) ? out.recommendations.filter(function (r) { return !empty(r); }) : [];
    var highest = 0;
    recs.forEach(function (r) {
      var m = r.id && /-r([0-9]+)$/.exec(r.id);
      if (m) highest = Math.max(highest, parseInt(m[1], 10));
    });
    out.recommendations = recs.map(function (r) {
      return r.id ? r : Object.assign({}, r, { id: out.id + '-r' + (++highest) });
    });
    if (out.type === 'recommendation' && !out.recommendations.length) throw new Error(say.recommendation_needed);
    checkImages(out, say);
    return out;
  }

  function checkImages(fields, say) {
    markdownFields(fields).forEach(function (k) {
      var re = /!\[((?:[^\]\\]|\\.)*)\]\(([^)]*)\)/g;
      var m;
      while ((m = re.exec(String(fields[k] || '')))) {
        if (!m[1].trim()) throw new Error(say.image_alt);
      }
    });
  }

  /** Complete a translation: its original's fingerprint and folder, and its text when left empty. */
  function completeTranslation(data, fields, ui) {
    var say = messages(data, ui);
    var out = Object.assign({}, fields);
    var original = data.originals[out.translation_of];
    if (!original) throw new Error(say.original);
    if (original.language === out.language) throw new Error(say.same_language);
    var parts = original.path.split('/');
    var stem = parts[parts.length - 1].replace(/\.md$/, '');
    if (!out[FILE]) {
      if (original.translated.indexOf(out.language) >= 0) throw new Error(say.translated);
      out[FILE] = stem + '.' + out.language;
    }
    out.city = parts[parts.length - 2];
    out.source_fingerprint = out.source_fingerprint || original.fingerprint;
    out.title = out.title || original.title;
    out.summary = out.summary || original.summary;
    if (empty(out.recommendations) && original.recommendations.length) {
      out.recommendations = original.recommendations.map(function (r) { return { id: r.id, text: r.text }; });
    }
    if (markdownFields(out).every(function (k) { return !String(out[k] || '').trim(); })) {
      var body = splitBody(data, original.body);
      Object.keys(body).forEach(function (k) { out[k] = body[k]; });
    }
    checkImages(out, say);
    return out;
  }

  /** Complete a city's card: its folder, from its name when left empty. */
  function completeCity(data, fields) {
    var out = Object.assign({}, fields);
    if (!out[FOLDER]) out[FOLDER] = slugify(out.name, 40);
    return out;
  }

  function escapeAlt(text) {
    return String(text || '').replace(/\s+/g, ' ').trim().replace(/([\\\[\]])/g, '\\$1');
  }

  function imageComponent(say) {
    return {
      id: 'image',
      label: say.image,
      fields: [
        { name: 'image', label: say.image_file, widget: 'image', choose_url: false, required: true },
        { name: 'alt', label: say.image_description, widget: 'string', required: true, hint: say.image_description_hint },
      ],
      pattern: /^!\[((?:[^\]\\]|\\.)*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)$/,
      fromBlock: function (match) {
        return { alt: match[1].replace(/\\([\\\[\]])/g, '$1'), image: match[2] };
      },
      toBlock: function (value) {
        return '![' + escapeAlt(value.alt) + '](' + String(value.image || '') + ')';
      },
      toPreview: function (value) {
        var img = document.createElement('img');
        img.src = String(value.image || '');
        img.alt = String(value.alt || '');
        return img.outerHTML;
      },
    };
  }

  /**
   * What Decap CMS's own markup lacks for screen readers and that a page can add: a name for each rich-text
   * box (its field's label), the state and name of the switch between rich text and Markdown, and an empty
   * alternative on the media library's thumbnails (their file name is written beside them).
   */
  function patchAccessibility(doc) {
    var pending = false;
    var run = function () {
      pending = false;
      doc.querySelectorAll("[aria-label='markdown field']").forEach(function (box) {
        var label = box.querySelector('label');
        var name = label && label.firstChild ? label.firstChild.textContent : '';
        var text = box.querySelector('[role=textbox]');
        if (text && name && text.getAttribute('aria-label') !== name) text.setAttribute('aria-label', name);
        var toggle = box.querySelector('button[role=switch]');
        if (toggle) {
          var state = String(!!box.querySelector('.cms-editor-raw'));
          if (toggle.getAttribute('aria-checked') !== state) toggle.setAttribute('aria-checked', state);
          var after = toggle.nextElementSibling;
          if (!toggle.getAttribute('aria-label') && after) toggle.setAttribute('aria-label', after.textContent);
        }
      });
      doc.querySelectorAll('img:not([alt])').forEach(function (img) { img.setAttribute('alt', ''); });
    };
    new MutationObserver(function () {
      if (!pending) {
        pending = true;
        (doc.defaultView.requestAnimationFrame || setTimeout)(run);
      }
    }).observe(doc.body, { childList: true, subtree: true });
  }

  // --- in the browser ---------------------------------------------------------------------------------

  function pickLanguage(win, languages) {
    var asked = new URLSearchParams(win.location.search).get('lang');
    if (asked && languages.indexOf(asked) >= 0) return asked;
    var preferred = (win.navigator.languages || [win.navigator.language || '']).map(function (l) {
      return String(l).slice(0, 2).toLowerCase();
    });
    for (var i = 0; i < preferred.length; i++) {
      if (languages.indexOf(preferred[i]) >= 0) return preferred[i];
    }
    return languages[0];
  }

  function start(win) {
    var CMS = win.CMS;
    if (!CMS) return;
    win.fetch('continuum.json', { credentials: 'same-origin' }).then(function (response) {
      return response.json();
    }).then(function (data) {
      var ui = pickLanguage(win, data.languages);
      var doc = win.document;
      doc.documentElement.lang = ui;
      patchAccessibility(doc);
      var used = {};
      var toJS = function (entry) { return entry.get('data').toJS(); };
      // Decap CMS keeps an entry in Immutable.js structures; they are rebuilt with its own constructors.
      var fromJS = function (entry, fields) {
        var IMap = entry.get('data').constructor;
        var IList = entry.get('data').toList().constructor;
        var deep = function (value) {
          if (Array.isArray(value)) return IList(value.map(deep));
          if (value && typeof value === 'object') {
            var out = {};
            Object.keys(value).forEach(function (k) { out[k] = deep(value[k]); });
            return IMap(out);
          }
          return value;
        };
        return deep(fields);
      };
      CMS.registerCustomFormat('continuum-contribution', 'md', {
        fromFile: function (text) { return readEntry(data, text); },
        toFile: function (fields) { return writeEntry(data, fields); },
      });
      CMS.registerCustomFormat('continuum-city', 'yml', {
        fromFile: function (text) { return readCity(text); },
        toFile: function (fields) { return writeCity(data, fields); },
      });
      // Images: a file of the contribution's folder and a description, which check requires; no title
      // and no address on the web (check refuses remote images).
      CMS.registerEditorComponent(imageComponent(messages(data, ui)));
      // A plain "+" on the "New …" button: the full-width one of Decap's phrases is missing from many fonts.
      var phrases = CMS.getLocale && CMS.getLocale(data.locales[ui]);
      var top = phrases && phrases.collection && phrases.collection.collectionTop;
      if (top && typeof top.newButton === 'string') top.newButton = top.newButton.replace('\uff0b', '+');
      CMS.registerEventListener({
        name: 'preSave',
        handler: function (event) {
          var entry = event.entry;
          var collection = entry.get('collection');
          var fields = toJS(entry);
          var done;
          if (collection === 'contributions') done = completeContribution(data, fields, ui, used);
          else if (collection === 'translations') done = completeTranslation(data, fields, ui);
          else if (collection === 'cities') done = completeCity(data, fields);
          else return undefined;
          return fromJS(entry, done);
        },
      });
      // The configuration is read here rather than by Decap CMS, which refuses a file that a server
      // does not label as YAML.
      return win.fetch(data.configs[ui], { credentials: 'same-origin' }).then(function (response) {
        return response.text();
      }).then(function (text) {
        var config = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
        config.load_config_file = false;
        CMS.init({ config: config });
      });
    });
  }

  return {
    slugify: slugify,
    readEntry: readEntry,
    writeEntry: writeEntry,
    readCity: readCity,
    writeCity: writeCity,
    splitBody: splitBody,
    joinBody: joinBody,
    completeContribution: completeContribution,
    completeTranslation: completeTranslation,
    completeCity: completeCity,
    imageComponent: imageComponent,
    start: start,
  };
});
