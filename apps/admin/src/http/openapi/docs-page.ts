import type { Method, OpenApiDocument, Operation } from './openapi.document';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function schemaName(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? ref.slice(ref.lastIndexOf('/') + 1) : ((schema as { type?: string } | undefined)?.type ?? '');
}

function operationRows(path: string, method: Method, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${escape(p.name)}</code> (${p.in}${p.required ? ', required' : ''}): ${escape(p.description)}</li>`,
    )
    .join('');
  const content = op.requestBody?.content;
  const body = content
    ? `<p>Body: <code>${escape(Object.keys(content).join(', '))}</code> ` +
      `${escape(schemaName(Object.values(content)[0]?.schema))}</p>`
    : '';
  const responses = Object.entries(op.responses)
    .map(
      ([status, r]) =>
        `<li><code>${status}</code> ${escape(r.description)}${
          r.content
            ? ` — ${escape(
                Object.entries(r.content)
                  .map(([type, c]) => `${type} ${schemaName(c.schema)}`)
                  .join(', '),
              )}`
            : ''
        }</li>`,
    )
    .join('');
  return `<section>
<h2><code>${method.toUpperCase()} ${escape(path)}</code></h2>
<p>${escape(op.summary)}${op.description ? `. ${escape(op.description)}` : ''}</p>
<p>${op['x-roles'] ? `Roles: ${escape(op['x-roles'].join(', '))}` : 'Public: no token.'}</p>
${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul>
</section>`;
}

/** A plain page listing every endpoint of the document: no script, no style, nothing from a CDN. */
export function docsPage(document: OpenApiDocument): string {
  const sections = Object.entries(document.paths).flatMap(([path, methods]) =>
    (Object.entries(methods) as [Method, Operation][]).map(([method, op]) => operationRows(path, method, op)),
  );
  const schemas = Object.keys(document.components.schemas).map(escape).join(', ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(document.info.title)}</title></head>
<body>
<h1>${escape(document.info.title)}</h1>
<p>${escape(document.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a>. Schemas: ${schemas}.</p>
${sections.join('\n')}
</body>
</html>
`;
}
