import cluster, { type Worker } from 'node:cluster';
import type { Readable } from 'node:stream';
import type { Logger } from 'winston';
import type { DecidedCaller } from '../../outcomes/recent-decisions.js';
import { isOurs, type Answer, type Question, type ToPrimary, type ToWorker } from './messages.js';

/** A worker that exits sooner than this after it started counts towards a crash loop. */
const QUICK_CRASH_MS = 10_000;
/**
 * Crashes this recent set the restart delay, however long each worker had run: a worker that dies
 * every 11 s is otherwise restarted at once forever. Quick ones among them make a crash loop.
 */
const CRASH_WINDOW_MS = 5 * 60_000;
/** Quick crashes within the window after which the primary gives up (and exits 1, for the orchestrator to see). */
const MAX_QUICK_CRASHES = 5;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long the admin port waits for a worker's answer by default; a silent worker is not ready. */
const ANSWER_TIMEOUT_MS = 2_000;

export interface PoolOptions {
  count: number;
  log: Logger;
  /** Each worker's stdout, to be relayed whole lines at a time. */
  stdout: (stream: Readable) => void;
  restarted: () => void;
  /** A crash loop: the pool stops restarting; the primary should shut down. */
  gaveUp: () => void;
  shutdownTimeoutMs: number;
}

export interface Ports { http: number; grpc: number | null }

interface Member { worker: Worker; startedAt: number; listening: boolean }
interface Crash { at: number; quick: boolean }

/** The primary's workers: forks them, restarts a crashed one with backoff, asks them all, drains them all. */
export class WorkerPool {
  private readonly members = new Set<Member>();
  private readonly waiting = new Map<number, (answer: unknown) => void>();
  private nextId = 0;
  private stopping = false;
  private crashes: Crash[] = [];
  private ports: Ports | null = null;

  constructor(private readonly options: PoolOptions) {}

  /** Forks every worker; resolves with the shared ports once all listen, rejects if one exits first. */
  async start(): Promise<Ports> {
    const started = Array.from({ length: this.options.count }, () => this.fork());
    const ports = await Promise.all(started);
    this.ports = ports[0];
    return this.ports;
  }

  get size(): number {
    return [...this.members].filter((m) => m.listening).length;
  }

  /** Every listening worker's answer; a worker that does not answer within timeoutMs is left out. */
  async ask<A extends Answer>(question: Question, timeoutMs = ANSWER_TIMEOUT_MS): Promise<A[]> {
    const asked = [...this.members].filter((m) => m.listening && m.worker.isConnected());
    const answers = await Promise.all(asked.map((m) => this.request<A>(m, (id) => ({ tollgate: 'ask', id, question }), timeoutMs)));
    return answers.filter((a): a is Awaited<A> => a !== null);
  }

  /** The first other worker that remembers the decision says who it was for; null when none does. */
  private async findDecision(decisionId: string, asking: Member): Promise<DecidedCaller | null> {
    const others = [...this.members].filter((m) => m !== asking && m.listening && m.worker.isConnected());
    return new Promise((resolve) => {
      let pending = others.length;
      if (pending === 0) return resolve(null);
      for (const m of others) {
        void this.request<DecidedCaller>(m, (id) => ({ tollgate: 'find_decision', id, decision_id: decisionId })).then((caller) => {
          pending--;
          if (caller) resolve(caller);
          else if (pending === 0) resolve(null);
        });
      }
    });
  }

  /** Sends one question to one worker; null when it does not answer in time or has died. */
  private request<A>(m: Member, message: (id: number) => ToWorker, timeoutMs = ANSWER_TIMEOUT_MS): Promise<A | null> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => this.waiting.get(id)?.(null), timeoutMs);
      this.waiting.set(id, (a) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(a as A | null);
      });
      // A worker that died meanwhile fails the send (the callback, not an 'error' event): no answer.
      m.worker.send(message(id), undefined, (err) => err && this.waiting.get(id)?.(null));
    });
  }

  /** Tells every worker to drain; kills those still running past the shutdown timeout. Resolves when all exited. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    const exits = [...this.members].map((m) => new Promise<boolean>((resolve) => {
      if (m.worker.isDead()) return resolve(m.worker.process.exitCode === 0);
      m.worker.once('exit', (code) => resolve(code === 0));
      const drainBySignal = () => m.worker.process.kill('SIGTERM');
      if (m.worker.isConnected()) m.worker.send({ tollgate: 'shutdown' } satisfies ToWorker, undefined, (err) => err && drainBySignal());
      else drainBySignal();
    }));
    const deadline = setTimeout(() => {
      for (const m of this.members) if (!m.worker.isDead()) m.worker.process.kill('SIGKILL');
    }, this.options.shutdownTimeoutMs + 5_000);
    const clean = await Promise.all(exits);
    clearTimeout(deadline);
    return clean.every(Boolean);
  }

  private fork(): Promise<Ports> {
    const worker = cluster.fork();
    const member: Member = { worker, startedAt: Date.now(), listening: false };
    this.members.add(member);
    this.options.stdout(worker.process.stdout!);
    worker.process.stderr?.pipe(process.stderr, { end: false });
    worker.on('error', (err: Error) => this.options.log.error('worker channel error', { pid: worker.process.pid, error: err.message }));
    return new Promise((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isOurs<ToPrimary>(message)) return;
        if (message.tollgate === 'answer') this.waiting.get(message.id)?.(message.answer);
        else if (message.tollgate === 'found_decision') this.waiting.get(message.id)?.(message.caller);
        else if (message.tollgate === 'find_decision') {
          void this.findDecision(message.decision_id, member).then((caller) => {
            if (worker.isConnected()) worker.send({ tollgate: 'found_decision', id: message.id, caller } satisfies ToWorker, undefined, () => undefined);
          });
        } else if (message.tollgate === 'listening') {
          member.listening = true;
          resolve({ http: message.http, grpc: message.grpc });
        }
      });
      worker.once('exit', (code, signal) => {
        this.members.delete(member);
        if (!member.listening) reject(new Error(`worker ${worker.process.pid} exited before it listened (code ${code}, signal ${signal})`));
        if (!this.stopping && this.ports !== null) this.restart(member, code, signal);
      });
    });
  }

  private restart(dead: Member, code: number | null, signal: string | null): void {
    const now = Date.now();
    const upMs = now - dead.startedAt;
    const quick = upMs < QUICK_CRASH_MS;
    this.crashes = [...this.crashes.filter((c) => now - c.at < CRASH_WINDOW_MS), { at: now, quick }];
    const quickCrashes = this.crashes.filter((c) => c.quick).length;
    const { log } = this.options;
    if (quickCrashes > MAX_QUICK_CRASHES) {
      log.error('workers keep crashing; giving up', { pid: dead.worker.process.pid, code, signal, quick_crashes: quickCrashes - 1 });
      this.options.gaveUp();
      return;
    }
    // A lone crash after a good run restarts at once; 0.5 s, 1 s, 2 s ... per crash in the window otherwise.
    const recent = this.crashes.length;
    const delayMs = recent === 1 && !quick ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** recent);
    log.error('worker exited; restarting it', { pid: dead.worker.process.pid, code, signal, uptime_ms: upMs, restart_in_ms: delayMs });
    setTimeout(() => {
      if (this.stopping) return;
      this.options.restarted();
      this.fork().then((ports) => {
        // All workers gone at once closes a port-0 socket: the replacement gets a new port.
        if (ports.http !== this.ports?.http || ports.grpc !== this.ports.grpc) log.error('a restarted worker listens on other ports', { ...ports });
      }, (err: Error) => log.error('a restarted worker failed to start', { error: err.message }));
    }, delayMs).unref();
  }
}
