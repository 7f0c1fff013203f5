/**
 * The DNS transport: UDP and TCP on one port, each query answered by a `DnsRecords` lookup.
 * Responses are authoritative for the zone, REFUSED outside it, and carry the zone's SOA in
 * the authority section when empty (negative answers), as CoreDNS does.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet, type SoaAnswer } from 'dns-packet';
import type { DnsRecords, Rcode } from './records.ts';

const RCODES: Record<Rcode, number> = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5 };
const FORMERR = 1;

export async function serveDns(records: DnsRecords, opts: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const { host } = opts;
  const zone = records.zone;
  const soa: SoaAnswer = {
    type: 'SOA', name: zone, ttl: 5, class: 'IN',
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
  };

  const respond = (query: Buffer): Packet => {
    let request;
    try {
      request = dnsPacket.decode(query);
    } catch {
      return { type: 'response', id: query.length >= 2 ? query.readUInt16BE(0) : 0, flags: FORMERR };
    }
    const question = request.questions?.[0];
    const base = { type: 'response' as const, id: request.id, questions: request.questions };
    const rd = request.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
    if (!question) return { ...base, flags: rd | FORMERR };
    const result = records.lookup(question.name, question.type);
    const aa = result.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER;
    return {
      ...base,
      flags: aa | rd | RCODES[result.rcode],
      answers: result.answers,
      additionals: result.additionals,
      authorities: result.rcode !== 'REFUSED' && result.answers.length === 0 ? [soa] : [],
    };
  };

  const tcp = net.createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const len = buffer.readUInt16BE(0);
        const message = buffer.subarray(2, 2 + len);
        buffer = buffer.subarray(2 + len);
        socket.write(dnsPacket.streamEncode(respond(message)));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port, host, () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;

  const udp = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    let reply = dnsPacket.encode(respond(msg));
    if (reply.length > 512) {
      // Too big for plain UDP: truncate, the client retries over TCP.
      const decoded = dnsPacket.decode(reply);
      reply = dnsPacket.encode({ ...decoded, flags: (decoded.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], additionals: [], authorities: [] });
    }
    udp.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => resolve());
  });

  return {
    port,
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
