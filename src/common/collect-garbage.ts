import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection now. Loading a large key file (or a bundle) leaves tens of MiB of dead
 * strings and buffers that V8 would keep resident until its next full collection, which a steady
 * load can put off for minutes: RSS then peaks with that garbage on top. The `gc` function is taken
 * from a context made with --expose-gc set (the way Jest's --logHeapUsage does it): the flag only
 * adds that function to new contexts and costs nothing per request.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
