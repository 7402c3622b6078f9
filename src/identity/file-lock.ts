import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** A lock older than this was left by a process that died or hung: no key file change takes this long. */
const STALE_MS = 30_000;
const WAIT_MS = 20_000;

/**
 * Runs `fn` holding an exclusive lock on `file`: `<file>.lock`, created with O_EXCL, holding
 * "<host> <pid> <random>". Every read-modify-write of the file runs under it, so concurrent
 * `tollgate keys` commands cannot lose each other's changes.
 */
export function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  const token = `${hostname()} ${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + WAIT_MS;
  for (let attempt = 0; !tryCreate(lock, token); attempt++) {
    breakIfStale(lock);
    if (Date.now() > deadline) throw new Error(`${file} is locked by another process (${lock}); delete that file if no keys command is running`);
    sleep(Math.min(2 ** attempt, 50) + Math.random() * 10);
  }
  try {
    return fn();
  } finally {
    // Only our own lock: if ours was broken as stale, the file may now be someone else's.
    if (readLock(lock)?.content === token) removeIfPresent(lock);
  }
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

interface LockState {
  content: string;
  mtimeMs: number;
}

function readLock(path: string): LockState | undefined {
  try {
    return { mtimeMs: statSync(path).mtimeMs, content: readFileSync(path, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Stale: its process is gone (same host), or it is older than any change takes. */
function isStale(lock: LockState): boolean {
  if (Date.now() - lock.mtimeMs > STALE_MS) return true;
  const [host, pid] = lock.content.split(' ');
  return host === hostname() && /^\d+$/.test(pid ?? '') && !processExists(Number(pid));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the lock if it is stale. Breakers take turns (`<lock>.break`) and remove only the lock
 * they judged: two breakers racing could otherwise remove the fresh lock a third process just took.
 */
function breakIfStale(lock: string): void {
  const seen = readLock(lock);
  if (!seen || !isStale(seen)) return;
  const breaker = `${lock}.break`;
  if (!tryCreate(breaker, String(process.pid))) {
    // A breaker holds this for microseconds; an old one died mid-way.
    const held = readLock(breaker);
    if (held && Date.now() - held.mtimeMs > STALE_MS) removeIfPresent(breaker);
    return;
  }
  try {
    const now = readLock(lock);
    if (now && now.content === seen.content && now.mtimeMs === seen.mtimeMs) removeIfPresent(lock);
  } finally {
    removeIfPresent(breaker);
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
