import { perfSplit } from '../../../bench/lib/perf-record.js';

/** `perf script -F pid,ip,sym` text (leaf first) read for one process: the kernel and socket-write shares the CPU breakdown quotes. */
const sample = (pid: number, ...frames: string[]) => `${pid} \n${frames.map((f) => `\t${f}`).join('\n')}\n`;
const script = [
  sample(42, 'ffffffff8224f5f9 _raw_spin_unlock_irqrestore', 'ffffffff81e7a14e sock_def_readable', 'ffffffff81eaf60e net_rx_action', 'ffffffff82063bab tcp_sendmsg', 'ffffffff816da7c5 do_writev', 'fde9d __GI___writev'),
  sample(42, 'ffffffff8207d4fd tcp_write_xmit', 'ffffffff82063bab tcp_sendmsg', 'ffffffff816d9b21 ksys_write', 'fd3f2 __GI___libc_write'),
  sample(42, 'ffffffff8171c0de ext4_file_write_iter', 'ffffffff816d9b21 ksys_write', 'fd3f2 __GI___libc_write'),
  sample(42, 'ffffffff816e5a60 __x64_sys_epoll_wait', 'ffffffff8223b5d1 do_syscall_64'),
  sample(42, '14cfd1c Builtins_InterpreterEntryTrampoline'),
  sample(7, 'ffffffff82063bab tcp_sendmsg'),
].join('\n');

test('splits one process\'s samples into kernel, socket sends (not file writes), and sends delivering to the reader', () => {
  expect(perfSplit(script, 42)).toEqual({ samples: 5, kernelShare: 4 / 5, socketWriteShare: 2 / 5, socketDeliveryShare: 1 / 5 });
});

test('a process perf never sampled has no shares', () => {
  expect(perfSplit(script, 1)).toEqual({ samples: 0, kernelShare: 0, socketWriteShare: 0, socketDeliveryShare: 0 });
});
