// C0 controls, DEL and C1 controls: characters a terminal acts on (ESC starts colour, cursor and title sequences).
const isControl = (code: number): boolean => code <= 0x1f || (code >= 0x7f && code <= 0x9f)

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

const escape = (char: string): string => NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`

/**
 * A name (file, branch, revision) as it can be shown on a terminal: control characters become visible escapes
 * (`\x1b`, `\n`), so a file called `evil\x1b]0;pwned\x07.jpg` cannot retitle the window or forge a line.
 */
export function printable(name: string): string {
  return escapeControls(name, false)
}

/** Text of several lines for a terminal: like {@link printable}, but its own line breaks stay. */
export function printableLines(text: string): string {
  return escapeControls(text, true)
}

// Any control character but the newline; most text has none, and is then returned as it is without a copy.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

function escapeControls(text: string, keepNewlines: boolean): string {
  if (keepNewlines && !CONTROL_BUT_NEWLINE.test(text)) return text
  let out = ''
  for (const char of text) {
    out += isControl(char.charCodeAt(0)) && !(keepNewlines && char === '\n') ? escape(char) : char
  }
  return out
}

/**
 * A value quoted for a POSIX shell when it is more than plain characters, so a hint such as
 * `git fetch origin 'x;touch ~/INJ'` can be copied and run without running anything else.
 */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./^~-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}
