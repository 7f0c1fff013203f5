/**
 * Pod IPs from one per-node block, like the kubelet's host-local IPAM on `node.spec.podCIDR`.
 * An address is handed out again only after it was released (the pod object is gone), and the
 * allocator walks forward through the block before wrapping, so recently freed addresses are
 * reused last.
 */
export class IpBlock {
  private readonly inUse = new Set<number>();
  private next = 2; // .0 is the network, .1 the gateway

  constructor(
    private readonly base: number,
    private readonly size: number,
  ) {}

  /** The block `index` of `blockSize` addresses counted from `baseCidr` (e.g. `10.244.0.0`). */
  static forNode(baseAddress: string, index: number, blockSize = 4096): IpBlock {
    return new IpBlock(parseIPv4(baseAddress) + index * blockSize, blockSize);
  }

  get cidr(): string {
    return `${formatIPv4(this.base)}/${32 - Math.log2(this.size)}`;
  }

  get gateway(): string {
    return formatIPv4(this.base + 1);
  }

  contains(ip: string): boolean {
    const n = parseIPv4(ip);
    return n >= this.base && n < this.base + this.size;
  }

  /** Marks an address seen on an existing pod as taken. */
  reserve(ip: string): void {
    if (this.contains(ip)) this.inUse.add(parseIPv4(ip) - this.base);
  }

  allocate(): string {
    const usable = this.size - 3; // network, gateway, broadcast
    if (this.inUse.size >= usable) throw new Error(`pod CIDR ${this.cidr} exhausted`);
    for (;;) {
      const offset = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (!this.inUse.has(offset)) {
        this.inUse.add(offset);
        return formatIPv4(this.base + offset);
      }
    }
  }

  release(ip: string): void {
    if (this.contains(ip)) this.inUse.delete(parseIPv4(ip) - this.base);
  }
}

export function parseIPv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
