// Run before anything else by npm start and the other npm scripts, so an old Node
// says what to install instead of failing on syntax or ESM. Plain ES5 on purpose:
// it must parse on any Node. `node scripts/check-node.cjs 18.20.0` checks that version.
'use strict';

var REQUIRED = [20, 19, 0];

/** The one-line complaint about `version` (e.g. "18.20.4"), or null when it is recent enough. */
function nodeVersionProblem(version) {
  var found = String(version).replace(/^v/, '');
  var parts = found.split('.').map(function (part) {
    return parseInt(part, 10) || 0;
  });
  for (var i = 0; i < REQUIRED.length; i++) {
    var part = parts[i] || 0;
    if (part > REQUIRED[i]) return null;
    if (part < REQUIRED[i]) {
      return (
        'fraud-numbers needs Node.js ' +
        REQUIRED.slice(0, 2).join('.') +
        ' or later, found ' +
        found +
        ': install Node.js 20.19+ or 22 LTS (e.g. nvm install 22) and run it again'
      );
    }
  }
  return null;
}

module.exports = { nodeVersionProblem: nodeVersionProblem };

if (require.main === module) {
  var problem = nodeVersionProblem(process.argv[2] || process.versions.node);
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
}
