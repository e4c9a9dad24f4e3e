/**
 * Reply templates: `{box}`, `{boxName}`, `{label}`, `{campaign}` are replaced by the box's and
 * the called line's values; `{{` and `}}` stand for literal braces. Every placeholder is known
 * when the config is read, so a reply's final length (and its number of SMS parts) is checked
 * at start, never discovered when a caller is waiting.
 */

/** The placeholders a reply text may use. */
export const PLACEHOLDERS = ['box', 'boxName', 'label', 'campaign'] as const;

/** One placeholder name. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The values for one line (modem). `campaign` is null when the line has none. */
export type TemplateValues = Record<Placeholder, string | null>;

/** A problem in a template, worded to complete "expected …". */
export interface TemplateProblem {
  expected: string;
}

type Token = { kind: 'text'; text: string } | { kind: 'placeholder'; name: string };

function tokenize(template: string): Token[] | TemplateProblem {
  const tokens: Token[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template.charAt(i);
    const next = template.charAt(i + 1);
    if ((ch === '{' && next === '{') || (ch === '}' && next === '}')) {
      text += ch;
      i++;
      continue;
    }
    if (ch === '}') {
      return { expected: 'a text whose braces are placeholders such as {box}; write "}}" for a literal "}"' };
    }
    if (ch !== '{') {
      text += ch;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    if (close < 0) return { expected: 'every "{" closed by "}", such as {label}; write "{{" for a literal "{"' };
    if (text) tokens.push({ kind: 'text', text });
    text = '';
    tokens.push({ kind: 'placeholder', name: template.slice(i + 1, close).trim() });
    i = close;
  }
  if (text) tokens.push({ kind: 'text', text });
  return tokens;
}

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** The placeholders a template uses, or why it is not a valid template. */
export function templatePlaceholders(template: string): Placeholder[] | TemplateProblem {
  const tokens = tokenize(template);
  if (!Array.isArray(tokens)) return tokens;
  const used: Placeholder[] = [];
  for (const t of tokens) {
    if (t.kind !== 'placeholder') continue;
    if (!isPlaceholder(t.name)) {
      return { expected: `only the placeholders ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}, but the text has {${t.name}}` };
    }
    if (!used.includes(t.name)) used.push(t.name);
  }
  return used;
}

/**
 * The text with its placeholders replaced. Throws for a template that `templatePlaceholders`
 * rejects (the config check runs first, so this only happens on a programming error).
 */
export function expandTemplate(template: string, values: TemplateValues): string {
  const tokens = tokenize(template);
  if (!Array.isArray(tokens)) throw new Error(`invalid reply template: expected ${tokens.expected}`);
  return tokens
    .map((t) => {
      if (t.kind === 'text') return t.text;
      if (!isPlaceholder(t.name)) throw new Error(`invalid reply template: unknown placeholder {${t.name}}`);
      return values[t.name] ?? '';
    })
    .join('');
}
