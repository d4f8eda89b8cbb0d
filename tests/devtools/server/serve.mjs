// Starts the Redux DevTools remote server (@redux-devtools/cli) bound to one host.
// The cli listens on every interface whatever --hostname says; for tests and the demo
// it must stay on loopback, so listen() calls that give only a port get the host.
//   node serve.mjs --port=PORT [--listen=127.0.0.1]
import http from 'node:http';

const arg = process.argv.find((a) => a.startsWith('--listen='));
const host = arg ? arg.slice('--listen='.length) : '127.0.0.1';
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  if (args.length === 1 && typeof args[0] === 'number') return listen.call(this, args[0], host);
  return listen.apply(this, args);
};
process.argv.push(`--hostname=${host}`);
await import('./node_modules/@redux-devtools/cli/bin/redux-devtools.js');
