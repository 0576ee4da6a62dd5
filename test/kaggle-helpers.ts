/**
 * The Kaggle side shared by the command tests (kaggle-commands, kaggle-kernels, kernel-picker): the
 * strict fake with alice and bob, and an isolated environment that signs in as alice with her key.
 */
import path from 'node:path';
import { type FakeKaggle, startFakeKaggle } from '@kagg/testkit/kaggle-fake';
import { isolatedEnv } from './helpers.ts';

export const ALICE_KEY = 'alicekey0123456789abcdef01234567';

export function startKaggleFake(): Promise<FakeKaggle> {
  return startFakeKaggle({
    users: [
      { username: 'alice', key: ALICE_KEY },
      { username: 'bob', key: 'bobkey'.repeat(6) },
    ],
  });
}

/** kagg's environment in `home`, talking to `fake` as alice (no token, her key); `extra` wins. */
export function kaggleEnv(home: string, fake: FakeKaggle, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return isolatedEnv(home, {
    KAGG_KAGGLE_API_URL: fake.url,
    KAGGLE_CONFIG_DIR: path.join(home, 'kaggle-config'),
    KAGGLE_API_TOKEN: '',
    KAGGLE_USERNAME: 'alice',
    KAGGLE_KEY: ALICE_KEY,
    KAGG_KAGGLE_RATE: '1000',
    ...extra,
  });
}
