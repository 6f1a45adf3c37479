export { main } from './cli.js';
export { type ServeOptions, serveStdio } from './serve/run.js';
export { VERSION } from './version.js';
