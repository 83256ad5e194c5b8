import { chmod, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import type { ConsentStore } from '../consent/types';
import { runAuditCommand } from './auditCommand';
import { runConsentCommand } from './consentCommand';
import { runExplainCommand } from './explainCommand';

/** The store commands a running demo answers for other processes. */
const STORE_COMMANDS = { consent: runConsentCommand, audit: runAuditCommand, explain: runExplainCommand } as const;
export type StoreCommand = keyof typeof STORE_COMMANDS;

/**
 * PGlite is single-process: while the demo holds its data folder, `consentgate consent ...` from another
 * terminal cannot open it. The demo therefore listens on a Unix socket in the data folder (owner-only)
 * and runs store commands (consent, audit, explain --user) against its own store; the CLI uses it when
 * it finds it.
 */
export async function serveAdminSocket(path: string, store: ConsentStore): Promise<Server> {
  await rm(path, { force: true });
  const server = createServer((socket) => {
    let input = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      input += chunk;
      if (!input.endsWith('\n')) return;
      const lines: { stream: 'out' | 'err'; line: string }[] = [];
      let argv: string[];
      let run: (typeof STORE_COMMANDS)[StoreCommand];
      try {
        const [command, ...rest] = JSON.parse(input) as string[];
        if (!Array.isArray(rest) || !rest.every((a) => typeof a === 'string')) throw new Error('expected an argv array');
        if (!Object.hasOwn(STORE_COMMANDS, command)) throw new Error(`unknown store command '${command}'`);
        run = STORE_COMMANDS[command as StoreCommand];
        argv = rest;
      } catch (error) {
        socket.end(JSON.stringify({ code: 2, lines: [{ stream: 'err', line: `admin socket: ${(error as Error).message}` }] }) + '\n');
        return;
      }
      run(argv, {
        store,
        out: (line) => lines.push({ stream: 'out', line }),
        err: (line) => lines.push({ stream: 'err', line }),
      })
        .catch((error: unknown) => {
          lines.push({ stream: 'err', line: (error as Error).message });
          return 1;
        })
        .then((code) => socket.end(JSON.stringify({ code, lines }) + '\n'));
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, () => resolve()));
  await chmod(path, 0o600);
  return server;
}

/** Runs a store command through a running demo's socket; undefined when no demo answers there. */
export function runThroughAdminSocket(path: string, command: StoreCommand, argv: string[], io: { out: (l: string) => void; err: (l: string) => void }): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let output = '';
    socket.setEncoding('utf8');
    socket.on('error', () => resolve(undefined));
    socket.on('connect', () => socket.write(JSON.stringify([command, ...argv]) + '\n'));
    socket.on('data', (chunk) => (output += chunk));
    socket.on('end', () => {
      try {
        const { code, lines } = JSON.parse(output) as { code: number; lines: { stream: 'out' | 'err'; line: string }[] };
        for (const { stream, line } of lines) io[stream](line);
        resolve(code);
      } catch {
        io.err('admin socket: the running demo sent an unreadable answer');
        resolve(1);
      }
    });
  });
}
