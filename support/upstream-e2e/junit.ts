/**
 * Reads the JUnit XML Ginkgo writes for e2e.test (--report-dir: junit_01.xml; the shape of
 * github.com/onsi/ginkgo/v2 reporters/junit_report.go, as Go's encoding/xml escapes it).
 * Only <testcase> elements are read: name, status, time, and the <skipped>, <failure> or
 * <error> message.
 */

export type JUnitStatus = 'passed' | 'failed' | 'skipped';

export interface JUnitCase {
  name: string;
  /** Ginkgo's status attribute as written: passed, skipped, failed, panicked, interrupted, aborted, timedout, pending. */
  ginkgoStatus: string;
  status: JUnitStatus;
  durationMs: number;
  /** The skip reason or the failure message. */
  message?: string;
  /** The failure's description (location and stack), when there is one. */
  description?: string;
}

export function parseJUnit(xml: string): JUnitCase[] {
  const cases: JUnitCase[] = [];
  const testcase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(testcase)) {
    const attrs = attributes(m[1] ?? '');
    const body = m[3] ?? '';
    const ginkgoStatus = attrs.status ?? '';
    const skipped = /<skipped\b([^>]*?)(?:\/>|>[\s\S]*?<\/skipped>)/.exec(body);
    const failure = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    // A test cut short by an interrupt (Ctrl-C) neither passed nor failed: it is skipped, saying so.
    const interrupted = ginkgoStatus === 'interrupted';
    const status: JUnitStatus =
      ginkgoStatus === 'passed' ? 'passed' : interrupted || ginkgoStatus === 'skipped' || ginkgoStatus === 'pending' || (skipped && !failure) ? 'skipped' : 'failed';
    const c: JUnitCase = { name: attrs.name ?? '', ginkgoStatus, status, durationMs: Math.round(Number(attrs.time ?? 0) * 1000) };
    if (status === 'skipped' && skipped) c.message = attributes(skipped[1] ?? '').message;
    if (interrupted) c.message = 'skipped - interrupted while it ran';
    if (status === 'failed' && failure) {
      c.message = attributes(failure[2] ?? '').message;
      const description = decode(failure[3] ?? '').trim();
      if (description) c.description = description;
    }
    cases.push(c);
  }
  return cases;
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = decode(m[2]!);
  return out;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML character and entity references (Go writes &#34; &#39; &#xA; &#x9; &#xD; besides the named five). */
export function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g, (all, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      return NAMED[ref] ?? all;
    });
}
