import { composeCommand } from './composeCommand';
import { demoCommand } from './demoCommand';
import { serveCommand } from './serveCommand';
import { tokenCommand } from './tokenCommand';
import { withStore } from './withStore';
import { runConsentCommand } from './consentCommand';
import { runAuditCommand } from './auditCommand';
import { explainArgvForAnotherProcess, explainNeedsStore, runExplainCommand } from './explainCommand';
import { adminSocketPath } from '../paths';
import { runThroughAdminSocket } from './adminSocket';

const USAGE = `Usage: consentgate <command> [options]

Commands:
  demo                      start the demo: platform + 3 bank subgraphs, seeded consent store, gateway on :4000
  serve                     serve a supergraph (--supergraph file, default schema/supergraph.graphql)
  compose                   compose schema/supergraph.yaml (--config) into schema/supergraph.graphql (--out)
  token <user>              print a demo bearer token for a user (alice, bob, carol, dave)
  consent grant|revoke|list manage consent grants in the configured store
  audit [--user U] [--bank B] [--grant G] [--since ISO] [--until ISO] [--json] | audit prune
                            query the audit trail (table or JSON); prune records older than three years
  explain [Type.field ...] [--user U [--query Q]]
                            how each guarded field is decided (consent, window, team rules), what a
                            user's grants decide now, account by account, or what each bank is asked
                            for an operation

Environment: PORT (default 4000), DATABASE_URL (PostgreSQL; default embedded PGlite in .consentgate/),
CONSENTGATE_DATA_DIR (default .consentgate).`;

/** Runs one CLI command; returns the exit code. Errors are printed as one clear line, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // A reader that stops early (`consentgate audit | head`) closes the pipe: stop quietly, as Unix tools do,
  // instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  try {
    switch (command) {
      case 'demo':
        return await demoCommand(rest, { out, err });
      case 'serve':
        return await serveCommand(rest, { out, err });
      case 'compose':
        return await composeCommand(rest, { out, err });
      case 'token':
        return await tokenCommand(rest, { out, err });
      case 'consent':
      case 'audit': {
        // A running demo holds the embedded store: go through it (see adminSocket.ts).
        const viaDemo = process.env.DATABASE_URL ? undefined : await runThroughAdminSocket(adminSocketPath(), command, rest, { out, err });
        if (viaDemo !== undefined) return viaDemo;
        const run = command === 'consent' ? runConsentCommand : runAuditCommand;
        return await withStore((store) => run(rest, { store, out, err }));
      }
      case 'explain': {
        if (!explainNeedsStore(rest)) return await runExplainCommand(rest, { out, err });
        // As for consent and audit; the demo reads the files in its own working directory, so paths go absolute.
        const forwarded = explainArgvForAnotherProcess(rest);
        const viaDemo = process.env.DATABASE_URL ? undefined : await runThroughAdminSocket(adminSocketPath(), 'explain', forwarded, { out, err });
        if (viaDemo !== undefined) return viaDemo;
        return await withStore((store) => runExplainCommand(rest, { store, out, err }));
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        err(`consentgate: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    err(`consentgate ${command}: ${(error as Error).message}`);
    return 1;
  }
}

