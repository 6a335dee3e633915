export type TemplateValue = string | number | null | undefined;

export type TemplateVars = Record<string, TemplateValue>;

/** Contact fields a campaign template may use. */
export const PERSONALIZATION_VARIABLES = [
  "firstName",
  "lastName",
  "fullName",
  "companyName",
  "customerNumber",
  "email",
  "phone",
  "position",
] as const;

export type PersonalizationVariable = (typeof PERSONALIZATION_VARIABLES)[number];

/** `{{name}}` or `{{ name }}`; a fresh RegExp per call because /g regexes carry state. */
function placeholders(): RegExp {
  return /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * Replaces placeholders in one pass, so a value that itself contains `{{…}}` is never expanded.
 * Values are escaped in HTML mode only: the template is trusted markup, contact data is not.
 * Missing values render empty rather than leaving `{{firstName}}` in front of a customer;
 * catch unknown names when the template is saved (`unknownVariables`).
 */
export function renderTemplate(template: string, vars: TemplateVars, opts: { html: boolean }): string {
  return template.replace(placeholders(), (_match, name: string) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    const text = value === null || value === undefined ? "" : String(value);
    return opts.html ? escapeHtml(text) : text;
  });
}

/** Names used in the template, each once, in order of first use. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(placeholders())) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names];
}

export function unknownVariables(template: string, allowed: readonly string[]): string[] {
  const known = new Set(allowed);
  return templateVariables(template).filter((name) => !known.has(name));
}
