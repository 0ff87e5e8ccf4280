export { FileRenderer, regoTestPath } from './render.js';
export { renderMarkdown, checklistToMarkdown, mdInline } from './markdown.js';
export { renderShell, shellQuote } from './shell.js';
