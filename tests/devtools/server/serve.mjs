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

// Stop with the process that started us (a test run or the demo), even when it was
// killed before it could stop us: once orphaned, our parent changes.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
await import('./node_modules/@redux-devtools/cli/bin/redux-devtools.js');
