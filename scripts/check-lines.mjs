// npm run lint: no line of code over 120 characters, and no merge conflict marker left behind. prettier wraps code
// at that width but leaves long strings, template literals and comments alone; this check names every line it could
// not wrap. A marker inside a comment or a string compiles, so only a check of the text finds it. Generated code,
// vendored protos and prose (Markdown, where tables cannot wrap) are outside it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 120;
const CODE = /\.(ts|js|mjs|cjs|py|sh|sql|proto|css|html|ya?ml)$/;
const OUTSIDE = [/^libs\/contracts\/src\/generated\//, /^third_party\//, /(^|\/)package-lock\.json$/];

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((file) => CODE.test(file) && !OUTSIDE.some((pattern) => pattern.test(file)));

const CONFLICT = /^(<{7}|>{7}) |^={7}$/;

const long = [];
const conflicts = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed by git but deleted in the work tree
  }
  text.split('\n').forEach((line, index) => {
    const width = [...line].length;
    if (width > LIMIT) long.push(`${file}:${index + 1}: ${width} characters`);
    if (CONFLICT.test(line)) conflicts.push(`${file}:${index + 1}: ${line}`);
  });
}

if (long.length > 0) {
  console.error(long.join('\n'));
  console.error(`\n${long.length} line(s) over ${LIMIT} characters: wrap the string or the comment\n`);
}
if (conflicts.length > 0) {
  console.error(conflicts.join('\n'));
  console.error(`\n${conflicts.length} merge conflict marker(s): resolve the merge\n`);
}
if (long.length > 0 || conflicts.length > 0) process.exit(1);
