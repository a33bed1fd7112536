// Stands in for codemirror-json-schema's markdown renderer: descriptions shown as text.
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export function renderMarkdown(text) {
  return escape(text);
}
