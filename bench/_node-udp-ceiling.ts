/**
 * The ceiling of a DNS server written on Node's dgram (files starting with "_" are
 * helpers, not benchmarks): it answers every datagram with the datagram itself, QR
 * and AA set, so dnsperf counts an answer — no parsing, no lookup, no allocation
 * beyond what dgram does. `bench dns` measures it under the same dnsperf settings as
 * the servers, so a front's figure can be read against what one Node process, one
 * socket, can do at all on this machine.
 *   node --import tsx bench/_node-udp-ceiling.ts   → prints "listening PORT"
 */
import dgram from 'node:dgram';

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, from) => {
  if (msg.length < 12) return;
  msg[2] |= 0x84;
  socket.send(msg, from.port, from.address);
});
socket.bind(0, '127.0.0.1', () => process.stdout.write(`listening ${socket.address().port}\n`));
process.once('SIGTERM', () => socket.close(() => process.exit(0)));
