import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDir } from '../../gateway/paths';

describe('Data folder: where the demo key, secrets and PGlite live', () => {
  const saved = process.env.CONSENTGATE_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.CONSENTGATE_DATA_DIR;
    else process.env.CONSENTGATE_DATA_DIR = saved;
  });

  it('is .consentgate in the working directory unless CONSENTGATE_DATA_DIR names another', () => {
    delete process.env.CONSENTGATE_DATA_DIR;
    expect(dataDir()).toBe(resolve('.consentgate'));
    process.env.CONSENTGATE_DATA_DIR = '/var/lib/consentgate';
    expect(dataDir()).toBe('/var/lib/consentgate');
  });

  it('treats an empty CONSENTGATE_DATA_DIR as unset, never the working directory itself', () => {
    process.env.CONSENTGATE_DATA_DIR = '';
    expect(dataDir()).toBe(resolve('.consentgate'));
  });
});
