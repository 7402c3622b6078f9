import { perfSplit } from '../../../bench/lib/perf-record.js';

/** `perf script -F pid,ip,sym` text (leaf first) read for one process: the kernel and writev shares the CPU breakdown quotes. */
const sample = (pid: number, ...frames: string[]) => `${pid} \n${frames.map((f) => `\t${f}`).join('\n')}\n`;
const script = [
  sample(42, 'ffffffff8224f5f9 _raw_spin_unlock_irqrestore', 'ffffffff81e7a14e sock_def_readable', 'ffffffff81eaf60e net_rx_action', 'ffffffff816da7c5 do_writev', 'fde9d __GI___writev'),
  sample(42, 'ffffffff8207d4fd tcp_write_xmit', 'ffffffff816da7c5 do_writev', 'fde9d __GI___writev'),
  sample(42, 'ffffffff816e5a60 __x64_sys_epoll_wait', 'ffffffff8223b5d1 do_syscall_64'),
  sample(42, '14cfd1c Builtins_InterpreterEntryTrampoline'),
  sample(7, 'ffffffff816da7c5 do_writev'),
].join('\n');

test('splits one process\'s samples into kernel, writev, and writev delivering to the reader', () => {
  expect(perfSplit(script, 42)).toEqual({ samples: 4, kernelShare: 3 / 4, writevShare: 2 / 4, writevDeliveryShare: 1 / 4 });
});

test('a process perf never sampled has no shares', () => {
  expect(perfSplit(script, 1)).toEqual({ samples: 0, kernelShare: 0, writevShare: 0, writevDeliveryShare: 0 });
});
