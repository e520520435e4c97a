// @ts-check
// The embedded database's own thread (src/platform/db/pglite-thread.ts; docs/adr/0008). Plain
// JavaScript, so it loads the same way under `npm start`, the tests and the benches.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { OID_DATE, OID_INT8, OID_NUMERIC, toNumber } from './types.mjs';

/** The fields of a database error worth carrying across (PGlite's DatabaseError, as pg's). */
const ERROR_FIELDS = ['code', 'severity', 'detail', 'hint', 'position', 'schema', 'table', 'column', 'dataType', 'constraint', 'where', 'routine'];

/** @param {unknown} error */
function plainError(error) {
  const source = /** @type {Record<string, unknown>} */ (error instanceof Error ? error : { message: String(error) });
  /** @type {Record<string, unknown>} */
  const plain = { name: source.name ?? 'Error', message: source.message ?? String(error) };
  for (const field of ERROR_FIELDS) if (source[field] !== undefined) plain[field] = source[field];
  return plain;
}

if (!parentPort) throw new Error('pglite-thread-worker runs on a worker thread');
const port = parentPort;
try {
  const pglite = await PGlite.create(workerData.dataDirectory, {
    parsers: {
      [OID_INT8]: toNumber,
      [OID_NUMERIC]: (/** @type {string} */ value) => value,
      [OID_DATE]: (/** @type {string} */ value) => value,
    },
  });
  await pglite.exec(`SET TIME ZONE 'Asia/Shanghai'`);
  // Requests are carried out one after the other, in the order they came: the order the main
  // thread sent them in is the order the database sees them (transactions rely on it).
  let chain = Promise.resolve();
  port.on('message', (/** @type {{ id: number; op: 'query' | 'exec' | 'close'; sql?: string; params?: unknown[] }} */ message) => {
    chain = chain.then(async () => {
      try {
        if (message.op === 'close') {
          await pglite.close();
          port.postMessage({ id: message.id });
          port.close();
          return;
        }
        if (message.op === 'exec') {
          const results = await pglite.exec(/** @type {string} */ (message.sql));
          const last = results[results.length - 1];
          port.postMessage({ id: message.id, rows: last?.rows ?? [], affectedRows: last?.affectedRows });
          return;
        }
        const result = await pglite.query(/** @type {string} */ (message.sql), message.params);
        port.postMessage({ id: message.id, rows: result.rows, affectedRows: result.affectedRows });
      } catch (error) {
        port.postMessage({ id: message.id, error: plainError(error) });
      }
    });
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: plainError(error) });
}
