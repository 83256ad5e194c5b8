import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Gateway } from '../createGateway';
import type { RunningServer } from './startServer';

export interface SupergraphReloaderOptions {
  server: RunningServer;
  /** Reads the new supergraph SDL (a file, or a config composed with all checks); throws when that fails. */
  load(): Promise<string>;
  /** Builds a gateway for the SDL with the running options (createGateway); throws when its checks fail. */
  build(supergraphSdl: string): Promise<Gateway>;
  /** Default []. Files whose change triggers a reload. */
  watch?: string[];
  /** Default true. Reload on SIGHUP. */
  onSignal?: boolean;
  /** Default 300 ms. Changes closer together than this are one reload (editors write in several steps). */
  debounceMs?: number;
  /** Told what happened on each reload. */
  log(message: string): void;
}

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'refused';

export interface SupergraphReloader {
  /** Reloads now (one at a time): the new supergraph serves only if it loads and passes every check. */
  reload(): Promise<ReloadOutcome>;
  close(): void;
}

/**
 * Reloads the supergraph on a file change or SIGHUP without dropping requests: a new gateway is built
 * and checked aside, then swapped in (server.swap drains the old one). When loading, composition or the
 * gateway's checks fail, the previous supergraph keeps serving and the reason is logged.
 */
export function createSupergraphReloader(options: SupergraphReloaderOptions): SupergraphReloader {
  let queue: Promise<unknown> = Promise.resolve();
  const reloadOnce = async (): Promise<ReloadOutcome> => {
    let sdl: string;
    let next: Gateway;
    try {
      sdl = await options.load();
      if (sdl === options.server.gateway.supergraph.sdl) return 'unchanged';
      next = await options.build(sdl);
    } catch (error) {
      options.log(`supergraph reload refused; still serving the previous supergraph: ${(error as Error).message}`);
      return 'refused';
    }
    await options.server.swap(next);
    options.log(`supergraph reloaded (${next.supergraph.subgraphs.map((s) => s.name).join(', ')})`);
    return 'reloaded';
  };
  const reload = () => {
    const run = queue.then(reloadOnce, reloadOnce);
    queue = run.catch(() => undefined);
    return run;
  };

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 300);
  };
  // Watch each file's folder, not the file: editors and deploy tools replace files by rename, after which
  // a watch on the old file sees nothing.
  const watchers: FSWatcher[] = (options.watch ?? []).map((file) => {
    const path = resolve(file);
    return watch(dirname(path), (_event, name) => {
      if (name === null || name === basename(path)) schedule();
    });
  });
  const onSignal = () => void reload();
  if (options.onSignal !== false) process.on('SIGHUP', onSignal);
  return {
    reload,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      process.off('SIGHUP', onSignal);
    },
  };
}
